#pragma once
// NIfTI files to device volumes for the subcommands, with the checks every
// command needs (same grid, finite values, non-empty mask).
#include <string>

#include "core/metrics.hpp"
#include "io/nifti.hpp"

namespace mcinr::drivers {

struct DeviceVolume {
  io::Geometry geometry;
  Kokkos::View<float*, MemSpace> values;
  GridShape shape() const { return {geometry.size[0], geometry.size[1], geometry.size[2]}; }
};

// Reads a 3D NIfTI file; refuses NaN or infinite voxels (UsageError).
DeviceVolume load_volume(const std::string& path);

// Reads a mask (voxel != 0) on the grid of `like`; refuses another grid or an
// empty mask. An empty path gives an empty view (no mask).
Kokkos::View<std::uint8_t*, MemSpace> load_mask(const std::string& path, const io::Geometry& like);

// Throws UsageError naming both files when their grids differ.
void require_same_grid(const io::Geometry& a, const std::string& a_name, const io::Geometry& b,
                       const std::string& b_name);

}  // namespace mcinr::drivers
