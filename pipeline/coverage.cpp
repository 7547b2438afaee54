#include "mcinr/pipeline/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mcinr::pipeline {

namespace {

// Scan voxel index x lies within the scan's field of view: [-0.5, n - 0.5]
// on each axis.
bool inside_field_of_view(const std::array<double, 3>& x, const io::Geometry& scan) {
  for (int a = 0; a < 3; ++a)
    if (!(x[a] >= -0.5 && x[a] <= double(scan.size[a]) - 0.5)) return false;
  return true;
}

// inside_count and the invented shares, from `inside` and `measured`.
void count_shares(Coverage& cov) {
  std::array<std::size_t, 2> invented{0, 0};
  cov.inside_count = 0;
  for (std::size_t v = 0; v < cov.inside.size(); ++v) {
    if (!cov.inside[v]) continue;
    ++cov.inside_count;
    for (int c = 0; c < 2; ++c) invented[c] += cov.measured[c][v] ? 0 : 1;
  }
  for (int c = 0; c < 2; ++c)
    cov.invented_share[c] = cov.inside_count ? double(invented[c]) / double(cov.inside_count) : 0.0;
}

}  // namespace

Coverage output_coverage(const std::array<io::Geometry, 2>& scans,
                         const std::array<const std::vector<std::uint8_t>*, 2>& masks, const io::Geometry& grid) {
  Coverage cov;
  cov.grid = grid;
  const std::size_t n = grid.voxels();
  cov.inside.assign(n, 0);
  for (auto& m : cov.measured) m.assign(n, 0);
  for (std::size_t k = 0; k < grid.size[2]; ++k)
    for (std::size_t j = 0; j < grid.size[1]; ++j)
      for (std::size_t i = 0; i < grid.size[0]; ++i) {
        const std::size_t v = i + grid.size[0] * (j + grid.size[1] * k);
        const std::array<double, 3> p = grid.world(double(i), double(j), double(k));
        bool in_mask = false;
        for (int c = 0; c < 2; ++c) {
          const auto x = scans[c].continuous_index(p);
          const long sz[3] = {long(scans[c].size[0]), long(scans[c].size[1]), long(scans[c].size[2])};
          if (!inside_field_of_view(x, scans[c])) continue;
          cov.measured[c][v] = 1;
          if (in_mask) continue;
          long lo[3], hi[3];
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::clamp(long(std::floor(x[a])), 0L, sz[a] - 1);
            hi[a] = std::clamp(long(std::floor(x[a])) + 1, 0L, sz[a] - 1);
          }
          const std::vector<std::uint8_t>& mask = *masks[c];
          for (long z = lo[2]; z <= hi[2] && !in_mask; ++z)
            for (long y = lo[1]; y <= hi[1] && !in_mask; ++y)
              for (long w = lo[0]; w <= hi[0] && !in_mask; ++w)
                in_mask = mask[std::size_t(w + sz[0] * (y + sz[1] * z))] != 0;
        }
        cov.inside[v] = in_mask ? 1 : 0;
      }
  count_shares(cov);
  return cov;
}

std::array<std::vector<std::uint8_t>, 2> fields_of_view(const std::array<io::Geometry, 2>& scans,
                                                         const io::Geometry& grid) {
  std::array<std::vector<std::uint8_t>, 2> inside;
  for (int c = 0; c < 2; ++c) {
    inside[c].assign(grid.voxels(), 0);
    for (std::size_t k = 0; k < grid.size[2]; ++k)
      for (std::size_t j = 0; j < grid.size[1]; ++j)
        for (std::size_t i = 0; i < grid.size[0]; ++i) {
          const auto x = scans[c].continuous_index(grid.world(double(i), double(j), double(k)));
          inside[c][i + grid.size[0] * (j + grid.size[1] * k)] = inside_field_of_view(x, scans[c]) ? 1 : 0;
        }
  }
  return inside;
}

void include_in_output_mask(Coverage& cov, const std::vector<std::uint8_t>& mask) {
  if (mask.size() != cov.inside.size()) throw std::invalid_argument("include_in_output_mask: another grid");
  for (std::size_t v = 0; v < mask.size(); ++v)
    if (mask[v]) cov.inside[v] = 1;
  count_shares(cov);
}

io::Volume coverage_map(const Coverage& coverage, int c) {
  io::Volume map;
  map.geometry = coverage.grid;
  map.voxels.resize(coverage.grid.voxels());
  for (std::size_t v = 0; v < map.voxels.size(); ++v)
    map.voxels[v] = !coverage.inside[v] ? 0.0f : coverage.measured[c][v] ? 1.0f : 2.0f;
  return map;
}

std::vector<long> mask_box(const Coverage& coverage, long margin) {
  const auto& s = coverage.grid.size;
  long lo[3] = {long(s[0]), long(s[1]), long(s[2])}, hi[3] = {-1, -1, -1};
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j)
      for (std::size_t i = 0; i < s[0]; ++i)
        if (coverage.inside[i + s[0] * (j + s[1] * k)]) {
          const long idx[3] = {long(i), long(j), long(k)};
          for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], idx[a]), hi[a] = std::max(hi[a], idx[a]);
        }
  if (hi[0] < 0) return {0, 0, 0, long(s[0]), long(s[1]), long(s[2])};
  std::vector<long> box(6);
  for (int a = 0; a < 3; ++a) {
    box[a] = std::max(0L, lo[a] - margin);
    box[a + 3] = std::min(long(s[a]), hi[a] + 1 + margin);
  }
  return box;
}

}  // namespace mcinr::pipeline
