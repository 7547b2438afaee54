#pragma once
// A subject as `mcinr fit` sees it: two low-resolution scans (with masks),
// optional ground truth, and the output grid; turned into training samples
// and query coordinates in the field's domain.
#include <string>
#include <vector>

#include "core/field_domain.hpp"
#include "core/trainer.hpp"
#include "drivers/volumes.hpp"

namespace mcinr::drivers {

struct SubjectFiles {
  std::string image[2], mask[2], gt[2], brain_mask;
};

// Finds <id>_<c>_LR.nii.gz, <id>_<c>_mask_LR.nii.gz, <id>_<c>.nii.gz and
// <id>_brainmask.nii.gz in dir (the reference's naming). Missing optional
// files stay empty; a missing LR scan is an error.
SubjectFiles find_subject(const std::string& dir, const std::string& c1, const std::string& c2);

struct Scan {
  DeviceVolume volume;
  Kokkos::View<std::uint8_t*, MemSpace> mask;  // given, or voxels != 0
  float lo = 0, hi = 1;                        // intensity range used for min-max scaling
};

// Loads a scan and its mask (derived from nonzero voxels where none is given);
// refuses an all-zero image or an empty mask.
Scan load_scan(const std::string& image, const std::string& mask);

// World bounding box of a grid's voxel centres: {min x, min y, min z, max x, max y, max z}.
std::array<double, 6> world_box(const io::Geometry& g);

// Refuses two scans whose voxel-centre boxes do not overlap in world space.
void require_overlap(const Scan& a, const std::string& a_name, const Scan& b, const std::string& b_name);

// One scalar range over all coordinates of both grids (the reference's map).
FieldDomain fit_domain(const io::Geometry& a, const io::Geometry& b);

// Samples of both scans, contrast 1 first: every voxel, or with
// mask_margin_mm >= 0 only voxels within that distance (mm) of the scan's mask.
SampleSet<float> make_samples(const Scan scans[2], const FieldDomain& domain, double mask_margin_mm);

// A grid with image a's orientation and the given isotropic spacing that
// covers both scans' voxel centres.
io::Geometry union_grid(const io::Geometry& a, const io::Geometry& b, double spacing);

// Field-domain coordinates (3 x N) of every voxel of a grid, x fastest.
Matrix<float> grid_coordinates(const io::Geometry& grid, const FieldDomain& domain);

}  // namespace mcinr::drivers
