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

// Reads a NIfTI file on the host; a file that cannot be read is a UsageError.
io::Volume read_host_volume(const std::string& path);

// Reads a NIfTI file on the host; refuses NaN or infinite voxels (UsageError).
io::Volume read_finite_volume(const std::string& path);

// Reads a 3D NIfTI file onto the device; refuses NaN or infinite voxels (UsageError).
DeviceVolume load_volume(const std::string& path);

// Host <-> device copies of voxel values.
Kokkos::View<float*, MemSpace> to_device(const std::vector<float>& voxels);
io::Volume to_host_volume(const io::Geometry& geometry, const Kokkos::View<const float*, MemSpace>& values);

// Reads a mask (voxel != 0) on the grid of `like`; refuses another grid or an
// empty mask. An empty path gives an empty view (no mask).
Kokkos::View<std::uint8_t*, MemSpace> load_mask(const std::string& path, const io::Geometry& like);

// Throws UsageError naming both files when their grids differ.
void require_same_grid(const io::Geometry& a, const std::string& a_name, const io::Geometry& b,
                       const std::string& b_name);

// Column c of a prediction (N x contrasts), min-max scaled to [0, 1] over
// the whole volume, as the reference scores its outputs.
Kokkos::View<float*, MemSpace> unit_scaled(const Matrix<float>& prediction, int c);

// Writes a [0, 1] volume mapped back to the intensity range [lo, hi].
void write_scaled_volume(const std::string& path, const io::Geometry& grid, const Kokkos::View<float*, MemSpace>& unit,
                         float lo, float hi);

}  // namespace mcinr::drivers
