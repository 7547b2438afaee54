#include "drivers/volumes.hpp"

#include <cmath>

#include "drivers/options.hpp"

namespace mcinr::drivers {

io::Volume read_host_volume(const std::string& path) {
  try {
    return io::read_nifti(path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

io::Volume read_finite_volume(const std::string& path) {
  io::Volume host = read_host_volume(path);
  for (float v : host.voxels)
    if (!std::isfinite(v)) throw UsageError(path + ": contains NaN or infinite voxels");
  return host;
}

DeviceVolume load_volume(const std::string& path) {
  const io::Volume host = read_finite_volume(path);
  return {host.geometry, to_device(host.voxels)};
}

Kokkos::View<float*, MemSpace> to_device(const std::vector<float>& voxels) {
  Kokkos::View<float*, MemSpace> values("volume", voxels.size());
  Kokkos::deep_copy(values,
                    Kokkos::View<const float*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(voxels.data(), voxels.size()));
  return values;
}

io::Volume to_host_volume(const io::Geometry& geometry, const Kokkos::View<const float*, MemSpace>& values) {
  io::Volume volume;
  volume.geometry = geometry;
  volume.voxels.resize(values.extent(0));
  Kokkos::deep_copy(Kokkos::View<float*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(volume.voxels.data(),
                                                                                     volume.voxels.size()),
                    values);
  return volume;
}

Kokkos::View<std::uint8_t*, MemSpace> load_mask(const std::string& path, const io::Geometry& like) {
  if (path.empty()) return {};
  const io::Volume host = read_host_volume(path);
  require_same_grid(host.geometry, path, like, "the image");
  Kokkos::View<std::uint8_t*, MemSpace> mask("mask", host.voxels.size());
  auto mirror = Kokkos::create_mirror_view(mask);
  std::size_t set = 0;
  for (std::size_t i = 0; i < host.voxels.size(); ++i) {
    mirror(i) = host.voxels[i] != 0;
    set += mirror(i);
  }
  if (set == 0) throw UsageError(path + ": the mask is empty");
  Kokkos::deep_copy(mask, mirror);
  return mask;
}

void require_same_grid(const io::Geometry& a, const std::string& a_name, const io::Geometry& b,
                       const std::string& b_name) {
  bool same = a.size == b.size;
  for (int d = 0; d < 3 && same; ++d)
    same = std::abs(a.spacing[d] - b.spacing[d]) <= 1e-4 * std::abs(b.spacing[d]) &&
           std::abs(a.origin[d] - b.origin[d]) <= 1e-3;
  for (int d = 0; d < 9 && same; ++d) same = std::abs(a.direction[d] - b.direction[d]) <= 1e-5;
  if (!same)
    throw UsageError(a_name + " and " + b_name + " are not on the same grid (size " + std::to_string(a.size[0]) +
                     "x" + std::to_string(a.size[1]) + "x" + std::to_string(a.size[2]) + " vs " +
                     std::to_string(b.size[0]) + "x" + std::to_string(b.size[1]) + "x" + std::to_string(b.size[2]) +
                     ", or spacing, origin or direction differ)");
}

Kokkos::View<float*, MemSpace> unit_scaled(const Matrix<float>& prediction, int c) {
  const std::size_t n = prediction.extent(0);
  const auto column = Kokkos::subview(prediction, Kokkos::ALL(), c);
  float lo = 0, hi = 0;
  Kokkos::parallel_reduce(
      "mcinr::prediction_min", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t i, float& m) { m = column(i) < m ? column(i) : m; }, Kokkos::Min<float>(lo));
  Kokkos::parallel_reduce(
      "mcinr::prediction_max", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t i, float& m) { m = column(i) > m ? column(i) : m; }, Kokkos::Max<float>(hi));
  const float range = hi > lo ? hi - lo : 1.0f;
  Kokkos::View<float*, MemSpace> out("prediction", n);
  Kokkos::parallel_for(
      "mcinr::prediction_scale", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t i) { out(i) = (column(i) - lo) / range; });
  return out;
}

void write_scaled_volume(const std::string& path, const io::Geometry& grid, const Kokkos::View<float*, MemSpace>& unit,
                  float lo, float hi) {
  io::Volume volume;
  volume.geometry = grid;
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), unit);
  volume.voxels.resize(grid.voxels());
  for (std::size_t i = 0; i < volume.voxels.size(); ++i) volume.voxels[i] = lo + host(i) * (hi - lo);
  io::write_nifti(path, volume);
}

}  // namespace mcinr::drivers
