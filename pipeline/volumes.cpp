#include "mcinr/pipeline/volumes.hpp"

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "mcinr/core/device_copy.hpp"
#include "mcinr/core/reductions.hpp"
#include "mcinr/backends/device_info.hpp"
#include "mcinr/pipeline/errors.hpp"

namespace mcinr::pipeline {

GridShape shape_of(const io::Geometry& g) { return {g.size[0], g.size[1], g.size[2]}; }

io::Volume read_volume(const std::string& path) {
  try {
    return io::read_nifti(path, backends::host_memory_bytes());
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
}

io::Volume read_finite_volume(const std::string& path) {
  io::Volume host = read_volume(path);
  for (float v : host.voxels)
    if (!std::isfinite(v)) throw InputError(path + ": contains NaN or infinite voxels");
  return host;
}

DeviceVolume load_volume(const std::string& path) { return to_device(read_finite_volume(path)); }

DeviceVolume to_device(const io::Volume& volume) {
  return {volume.geometry, mcinr::to_device(volume.voxels, "volume")};
}

io::Volume to_host(const io::Geometry& geometry, const Kokkos::View<const float*, MemSpace>& values) {
  io::Volume volume;
  volume.geometry = geometry;
  volume.voxels = mcinr::to_host(values);
  return volume;
}

DeviceMask load_mask(const std::string& path, const io::Geometry& like) {
  if (path.empty()) return {};
  const io::Volume host = read_volume(path);
  require_same_grid(host.geometry, path, like, "the image");
  std::vector<std::uint8_t> mask(host.voxels.size());
  std::size_t set = 0;
  for (std::size_t i = 0; i < host.voxels.size(); ++i) {
    mask[i] = host.voxels[i] != 0;
    set += mask[i];
  }
  require(set > 0, path + ": the mask is empty");
  return mcinr::to_device(mask, "mask");
}

DeviceMask nonzero_mask(const DeviceValues& values) {
  DeviceMask mask("derived_mask", values.extent(0));
  Kokkos::parallel_for(
      "mcinr::nonzero_mask", Kokkos::RangePolicy<ExecSpace>(0, values.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i) { mask(i) = values(i) != 0.0f; });
  return mask;
}

bool same_grid(const io::Geometry& a, const io::Geometry& b) {
  bool same = a.size == b.size;
  for (int d = 0; d < 3 && same; ++d)
    same = std::abs(a.spacing[d] - b.spacing[d]) <= 1e-4 * std::abs(b.spacing[d]) &&
           std::abs(a.origin[d] - b.origin[d]) <= 1e-3;
  for (int d = 0; d < 9 && same; ++d) same = std::abs(a.direction[d] - b.direction[d]) <= 1e-5;
  return same;
}

void require_same_grid(const io::Geometry& a, const std::string& a_name, const io::Geometry& b,
                       const std::string& b_name) {
  if (!same_grid(a, b))
    throw InputError(a_name + " and " + b_name + " are not on the same grid (size " + std::to_string(a.size[0]) + "x" +
                     std::to_string(a.size[1]) + "x" + std::to_string(a.size[2]) + " vs " + std::to_string(b.size[0]) +
                     "x" + std::to_string(b.size[1]) + "x" + std::to_string(b.size[2]) +
                     ", or spacing, origin or direction differ)");
}

void require_output_nifti(const std::string& path) {
  const auto ends_with = [&](const std::string& tail) {
    return path.size() > tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  require(ends_with(".nii") || ends_with(".nii.gz"), path + ": output name must end in .nii or .nii.gz");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string folder = parent.empty() ? "." : parent.string();
  require(std::filesystem::is_directory(folder), path + ": no such folder " + folder);
  require(::access(folder.c_str(), W_OK) == 0, path + ": folder " + folder + " is not writable");
}

void require_not_input(const std::string& output, const std::vector<std::string>& inputs) {
  std::error_code error;
  if (!std::filesystem::exists(output, error)) return;
  for (const std::string& input : inputs) {
    if (input.empty() || !std::filesystem::exists(input, error)) continue;
    require(!std::filesystem::equivalent(output, input, error),
            output + ": this output is also an input of the command (" + input + "); choose another output");
  }
}

DeviceValues unit_scaled(const Matrix<float>& prediction, int c, bool stretch) {
  const std::size_t n = prediction.extent(0);
  const auto column = Kokkos::subview(prediction, Kokkos::ALL(), c);
  DeviceValues values("prediction_column", n);
  Kokkos::deep_copy(values, column);
  if (!stretch) return values;
  const ValueRange r = value_range(values);
  const float lo = r.empty() ? 0.0f : float(r.lo), hi = r.empty() ? 0.0f : float(r.hi);
  const float range = hi > lo ? hi - lo : 1.0f;
  Kokkos::parallel_for(
      "mcinr::prediction_scale", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t i) { values(i) = (values(i) - lo) / range; });
  return values;
}

io::Volume rescaled(const io::Geometry& grid, const DeviceValues& unit, float lo, float hi) {
  io::Volume volume = to_host(grid, unit);
  for (auto& v : volume.voxels) v = lo + v * (hi - lo);
  return volume;
}

}  // namespace mcinr::pipeline
