#include "mcinr/pipeline/data_consistency.hpp"

#include <cmath>
#include <vector>

#include "mcinr/core/device_copy.hpp"

namespace mcinr::pipeline {

namespace {

// The inverse of a 3x3 row-major matrix (direction cosines: orthonormal in
// practice, but any invertible one works).
std::array<double, 9> inverse(const std::array<double, 9>& m) {
  const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                     m[2] * (m[3] * m[7] - m[4] * m[6]);
  std::array<double, 9> r{};
  r[0] = (m[4] * m[8] - m[5] * m[7]) / det;
  r[1] = (m[2] * m[7] - m[1] * m[8]) / det;
  r[2] = (m[1] * m[5] - m[2] * m[4]) / det;
  r[3] = (m[5] * m[6] - m[3] * m[8]) / det;
  r[4] = (m[0] * m[8] - m[2] * m[6]) / det;
  r[5] = (m[2] * m[3] - m[0] * m[5]) / det;
  r[6] = (m[3] * m[7] - m[4] * m[6]) / det;
  r[7] = (m[1] * m[6] - m[0] * m[7]) / det;
  r[8] = (m[0] * m[4] - m[1] * m[3]) / det;
  return r;
}

}  // namespace

DataConsistency::DataConsistency(const Scan scans[2], const io::Geometry& grid, double tolerance) {
  const std::array<double, 9> inv = inverse(grid.direction);
  for (int c = 0; c < 2; ++c) {
    const io::Geometry& g = scans[c].volume.geometry;
    const std::vector<float> values = mcinr::to_host(scans[c].volume.values);
    const float lo = scans[c].lo, range = scans[c].hi - scans[c].lo;
    std::vector<std::size_t> index;
    std::vector<float> value;
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i) {
          const auto p = g.world(double(i), double(j), double(k));
          double q[3];
          bool on_grid = true;
          std::size_t at[3];
          for (int a = 0; a < 3 && on_grid; ++a) {
            q[a] = 0;
            for (int r = 0; r < 3; ++r) q[a] += inv[3 * a + r] * (p[r] - grid.origin[r]);
            q[a] /= grid.spacing[a];
            const double nearest = std::round(q[a]);
            on_grid = std::abs(q[a] - nearest) <= tolerance && nearest >= 0 && nearest < double(grid.size[a]);
            at[a] = std::size_t(nearest);
          }
          if (!on_grid) continue;
          index.push_back(at[0] + grid.size[0] * (at[1] + grid.size[1] * at[2]));
          value.push_back((values[i + g.size[0] * (j + g.size[1] * k)] - lo) / range);
        }
    index_[c] = mcinr::to_device(index, "consistent_index");
    value_[c] = mcinr::to_device(value, "consistent_value");
  }
}

void DataConsistency::apply(const Matrix<float>& prediction) const {
  for (int c = 0; c < 2; ++c) {
    const auto index = index_[c];
    const auto value = value_[c];
    const auto column = Kokkos::subview(prediction, Kokkos::ALL(), c);
    Kokkos::parallel_for(
        "mcinr::data_consistency", Kokkos::RangePolicy<ExecSpace>(0, index.extent(0)),
        KOKKOS_LAMBDA(const std::size_t i) { column(index(i)) = value(i); });
  }
}

}  // namespace mcinr::pipeline

#include "mcinr/io/resample.hpp"
#include "mcinr/pipeline/grids.hpp"

namespace mcinr::pipeline {

namespace {

// Columns index(0 .. count) of `all`, each spread over `points` points
// across the slab (offsets t_j along `across`, field units; a free function:
// CUDA refuses extended lambdas in constructors).
Matrix<float> gather_columns(const Matrix<float>& all, const Kokkos::View<std::size_t*, MemSpace>& index,
                             std::size_t count, const std::vector<double>& offsets, const std::array<double, 3>& across) {
  const int points = int(offsets.size());
  const Matrix<float> chosen("residual_coords", all.extent(0), count * std::size_t(points));
  const Kokkos::View<double*, MemSpace> t = mcinr::to_device(offsets, "residual_offsets");
  const float ax = float(across[0]), ay = float(across[1]), az = float(across[2]);
  Kokkos::parallel_for(
      "mcinr::residual_coords", Kokkos::RangePolicy<ExecSpace>(0, count), KOKKOS_LAMBDA(const std::size_t s) {
        for (int j = 0; j < points; ++j) {
          const std::size_t col = s * std::size_t(points) + std::size_t(j);
          const float tj = float(t(j));
          chosen(0, col) = all(0, index(s)) + tj * ax;
          chosen(1, col) = all(1, index(s)) + tj * ay;
          chosen(2, col) = all(2, index(s)) + tj * az;
        }
      });
  return chosen;
}

// column = w column + correction (w empty: 1).
void add_correction(const Kokkos::View<float*, Kokkos::LayoutStride, MemSpace>& column,
                    const Kokkos::View<float*, MemSpace>& weight, const Kokkos::View<float*, MemSpace>& correction) {
  const bool weighted = weight.extent(0) == correction.extent(0);
  Kokkos::parallel_for(
      "mcinr::residual_correction", Kokkos::RangePolicy<ExecSpace>(0, correction.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i) { column(i) = (weighted ? weight(i) * column(i) : column(i)) + correction(i); });
}

}  // namespace

ResidualCorrection::ResidualCorrection(const Scan scans[2], const FieldDomain& domain, const io::Geometry& grid,
                                       const std::array<std::vector<std::uint8_t>, 2>& fields_of_view,
                                       const Options& options)
    : grid_(grid), options_(options) {
  std::vector<float> sampled_on_grid[2];  // s_c of the header's formula; f_c is fields_of_view[c]
  if (!options_.profiles.empty() && options_.profiles.size() != 2)
    throw std::logic_error("residual correction: one slice profile per contrast");
  if (options_.profile_points < 1) throw std::logic_error("residual correction: profile_points < 1");
  for (int c = 0; c < 2; ++c) {
    scan_grid_[c] = scans[c].volume.geometry;
    const std::size_t n = scan_grid_[c].voxels();
    Kokkos::View<std::size_t*, MemSpace> index("residual_voxels", n);
    const std::size_t count =
        choose_voxels(scans[c], options_.mask_margin_mm, options_.background, std::uint64_t(c + 1), index);
    // The points across the slab, of equal weight: the centres of the
    // strata training draws from (core/trainer.hpp), or the voxel centre.
    SliceProfile profile;
    if (!options_.profiles.empty()) profile = options_.profiles[std::size_t(c)];
    const int points = profile.kind == ProfileKind::point ? 1 : options_.profile_points;
    std::vector<double> offsets(std::size_t(points), 0.0);
    if (points > 1)
      for (int j = 0; j < points; ++j) offsets[std::size_t(j)] = profile_offset(profile.kind, (j + 0.5) / points);
    points_[c] = std::size_t(points);
    coords_[c] = gather_columns(grid_coordinates(scan_grid_[c], domain), index, count, offsets, profile.thickness);
    const auto host_index = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), index);
    measured_[c] = mcinr::to_host(scans[c].volume.values);
    const float lo = scans[c].lo, range = scans[c].hi - scans[c].lo;
    for (float& v : measured_[c]) v = (v - lo) / range;
    voxels_[c].resize(count);
    for (std::size_t s = 0; s < count; ++s) voxels_[c][s] = host_index(s);
    if (count < n) {
      io::Volume sampled;
      sampled.geometry = scan_grid_[c];
      sampled.voxels.assign(n, 0.0f);
      for (const std::size_t v : voxels_[c]) sampled.voxels[v] = 1.0f;
      sampled_on_grid[c] = io::resample(sampled, grid_, 1).voxels;
    }
  }
  if (sampled_on_grid[0].empty() && sampled_on_grid[1].empty()) return;  // every voxel sampled: w = 1
  for (int c = 0; c < 2; ++c) {
    if (fields_of_view[c].size() != grid_.voxels())
      throw std::logic_error("residual correction: a field of view on another grid");
    if (sampled_on_grid[c].empty()) sampled_on_grid[c].assign(fields_of_view[c].begin(), fields_of_view[c].end());
  }
  // w_c = f_c s_c + (1 - f_c) s_o: beyond its own scan's field of view a
  // contrast's field is fitted where the other scan was sampled (the shared
  // trunk), and its correction is 0 there, so the output is the field's
  // invention, as the coverage map says.
  for (int c = 0; c < 2; ++c) {
    std::vector<float> w = sampled_on_grid[c];
    for (std::size_t v = 0; v < w.size(); ++v) {
      if (!fields_of_view[c][v]) w[v] = sampled_on_grid[1 - c][v];
    }
    weight_[c] = mcinr::to_device(w, "residual_weight");
  }
}

io::Volume ResidualCorrection::residual(Field<float>& field, int c, const StopRequested& stop) const {
  io::Volume residual;
  residual.geometry = scan_grid_[c];
  Matrix<float> at_points("field_at_scan", coords_[c].extent(1), 2);
  if (!field.predict(coords_[c], at_points, stop)) return residual;
  const std::vector<float> predicted =
      mcinr::to_host(Kokkos::View<const float*, MemSpace>(Kokkos::subview(at_points, Kokkos::ALL(), c)));
  const std::size_t points = points_[c];
  const float weight = float(1.0 / double(points));
  residual.voxels = measured_[c];  // the scan itself where the field was not fitted
  for (std::size_t s = 0; s < voxels_[c].size(); ++s) {
    float mean = 0;
    for (std::size_t j = 0; j < points; ++j) mean += weight * predicted[s * points + j];
    residual.voxels[voxels_[c][s]] -= mean;
  }
  return residual;
}

DeviceMask ResidualCorrection::support() const {
  if (weight_[0].extent(0) == 0 || weight_[1].extent(0) == 0) return {};
  const auto w0 = weight_[0], w1 = weight_[1];
  DeviceMask inside("residual_support", w0.extent(0));
  Kokkos::parallel_for(
      "mcinr::residual_support", Kokkos::RangePolicy<ExecSpace>(0, w0.extent(0)),
      KOKKOS_LAMBDA(const std::size_t v) { inside(v) = w0(v) != 0.0f || w1(v) != 0.0f ? 1 : 0; });
  return inside;
}

bool ResidualCorrection::apply(Field<float>& field, const Matrix<float>& prediction, const StopRequested& stop) const {
  for (int c = 0; c < 2; ++c) {
    const io::Volume residual = this->residual(field, c, stop);
    if (residual.voxels.empty()) return false;
    const io::Volume interpolated =
        options_.detail_mm[c] > 0
            ? io::resample_fading_detail(residual, grid_, options_.detail_mm[c], options_.detail_power[c])
            : io::resample(residual, grid_, 1);
    const Kokkos::View<float*, MemSpace> correction = mcinr::to_device(interpolated.voxels, "residual_correction");
    add_correction(Kokkos::subview(prediction, Kokkos::ALL(), c), weight_[c], correction);
    if (stop && stop()) return false;
  }
  return true;
}

}  // namespace mcinr::pipeline
