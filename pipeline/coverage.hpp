#pragma once
// Where on the output grid each contrast was measured, and the output mask:
// the union of the scans' masks. A fit masks its written volumes with it and
// says how much of it each contrast's field invents (no voxel of that
// contrast's scan lies there).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::pipeline {

struct Coverage {
  io::Geometry grid;                                // the output grid
  std::vector<std::uint8_t> inside;                 // the output mask, per voxel (x fastest)
  std::array<std::vector<std::uint8_t>, 2> measured;  // inside scan c's field of view
  std::size_t inside_count = 0;
  // The share of the output mask outside scan c's field of view (0..1).
  std::array<double, 2> invented_share{0, 0};
};

// Host masks (one byte per voxel) on their scans' grids. An output voxel is
// inside scan c's field of view where its continuous voxel index lies within
// [-0.5, n - 0.5] on each axis, and inside the output mask where, for some
// scan, one of the 8 scan voxels around it (within the field of view) is in
// that scan's mask: a dilation by less than one scan voxel, so thick slices
// do not clip the mask's edge.
Coverage output_coverage(const std::array<io::Geometry, 2>& scans,
                         const std::array<const std::vector<std::uint8_t>*, 2>& masks, const io::Geometry& grid);

// Coverage::measured alone: where each scan's field of view covers the grid.
std::array<std::vector<std::uint8_t>, 2> fields_of_view(const std::array<io::Geometry, 2>& scans,
                                                         const io::Geometry& grid);

// Adds a mask on the output grid (the brain mask the metrics read) to the
// output mask, and recounts the invented shares: what is scored is written.
void include_in_output_mask(Coverage& coverage, const std::vector<std::uint8_t>& mask);

// Scan c's coverage map on the output grid: 0 outside the output mask, 1
// measured by the scan, 2 in the mask but outside the scan's field of view
// (invented by the field).
io::Volume coverage_map(const Coverage& coverage, int c);

// The voxel box (x0, y0, z0, x1, y1, z1; ends exclusive) of the output
// mask, grown by `margin` voxels and clipped to the grid; the whole grid
// where the mask is empty.
std::vector<long> mask_box(const Coverage& coverage, long margin);

}  // namespace mcinr::pipeline
