#pragma once
// A clinical 2D acquisition simulated from a high-resolution volume (mcinr
// simulate): what real scans look like where the decimated ones of the
// slice model do not. The scan's grid has its own orientation code (storage
// order, e.g. LAS or LIA), in-plane spacing, slice thickness along the
// view's world direction, an oblique rotation, its own field of view and
// centre; each voxel averages the volume over its slab (a box profile,
// sampled at `profile_points` points through trilinear interpolation), and
// Rician background noise is added. Voxels outside the volume read 0.
#include <array>
#include <cstdint>
#include <string>

#include "mcinr/io/nifti.hpp"

namespace mcinr::pipeline {

struct ClinicalScan {
  std::string orientation = "LAS";            // voxel axes in RAS letters; the view's letter is the slice axis
  std::string view = "axial";                 // axial (S/I), coronal (A/P) or sagittal (L/R): the thick direction
  double in_plane_mm = 1, thickness_mm = 4;   // spacing in-plane and across slices (no gap)
  std::array<double, 3> fov_mm{240, 240, 160};  // along the voxel axes
  std::array<double, 3> rotate_deg{0, 0, 0};  // oblique: about world x, y, z (RAS), about the volume's centre
  std::array<double, 3> shift_mm{0, 0, 0};    // the field of view's centre from the volume's, world RAS
  int profile_points = 9;                     // 1: point samples
  double noise = 0;                           // Rician sigma, a share of the volume's 99th percentile
  double intensity_max = 0;                   // > 0: the 99.9th percentile maps to this (scanner units)
  std::uint64_t seed = 1;
};

// Checks the fields (InputError naming the option).
void validate(const ClinicalScan& spec);

// The scan's grid (before its voxels): origin, direction, spacing, size.
io::Geometry clinical_grid(const io::Geometry& hr, const ClinicalScan& spec);

// The simulated scan.
io::Volume simulate_clinical_scan(const io::Volume& hr, const ClinicalScan& spec);

}  // namespace mcinr::pipeline
