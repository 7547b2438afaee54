#pragma once
// NIfTI files to device volumes and back, with the checks every command
// needs (readable, finite values, same grid, non-empty mask). A file that
// cannot be used is an InputError naming it.
#include <cstdint>
#include <string>
#include <vector>

#include "mcinr/core/metrics.hpp"
#include "mcinr/io/nifti.hpp"

namespace mcinr::pipeline {

using DeviceMask = Kokkos::View<std::uint8_t*, MemSpace>;
using DeviceValues = Kokkos::View<float*, MemSpace>;

struct DeviceVolume {
  io::Geometry geometry;
  DeviceValues values;
  GridShape shape() const { return {geometry.size[0], geometry.size[1], geometry.size[2]}; }
};

GridShape shape_of(const io::Geometry& geometry);

// Reads a NIfTI file on the host (InputError where it cannot be read).
io::Volume read_volume(const std::string& path);
// The same, refusing NaN or infinite voxels.
io::Volume read_finite_volume(const std::string& path);
// Reads a 3D NIfTI file onto the device; refuses NaN or infinite voxels.
DeviceVolume load_volume(const std::string& path);

DeviceVolume to_device(const io::Volume& volume);
io::Volume to_host(const io::Geometry& geometry, const Kokkos::View<const float*, MemSpace>& values);

// Reads a mask (voxel != 0) on the grid of `like`; refuses another grid or an
// empty mask. An empty path gives an empty view (no mask).
DeviceMask load_mask(const std::string& path, const io::Geometry& like);
// voxel != 0 of a device volume.
DeviceMask nonzero_mask(const DeviceValues& values);

bool same_grid(const io::Geometry& a, const io::Geometry& b);
// InputError naming both where the grids differ.
void require_same_grid(const io::Geometry& a, const std::string& a_name, const io::Geometry& b,
                       const std::string& b_name);

// Refuses (InputError) an output NIfTI path whose folder is missing or not
// writable, or whose name does not end in .nii or .nii.gz: checked before
// the work, so a bad --out fails at once.
void require_output_nifti(const std::string& path);

// A command never writes onto one of its inputs: InputError where `output`
// exists and is the same file as one of `inputs` (through any name or link;
// empty names are skipped).
void require_not_input(const std::string& output, const std::vector<std::string>& inputs);

// Column c of a prediction (N x contrasts), min-max scaled to [0, 1] over
// the whole volume, as the reference scores its outputs.
// stretch = false: the column as it is (outputs that keep the scans'
// measurements: data consistency, residual correction).
DeviceValues unit_scaled(const Matrix<float>& prediction, int c, bool stretch = true);

// A [0, 1] volume mapped back to the intensity range [lo, hi], on the host.
io::Volume rescaled(const io::Geometry& grid, const DeviceValues& unit, float lo, float hi);

}  // namespace mcinr::pipeline
