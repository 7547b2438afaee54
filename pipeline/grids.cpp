#include "mcinr/pipeline/grids.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/pipeline/errors.hpp"

namespace mcinr::pipeline {

GridMap::GridMap(const io::Geometry& g, const FieldDomain& domain) : nx(g.size[0]), ny(g.size[1]) {
  const double scale = 2.0 / (domain.hi - domain.lo);
  const auto o = g.world(0, 0, 0);
  for (int r = 0; r < 3; ++r) {
    origin[r] = domain.to_field(r, o[r]);
    for (int c = 0; c < 3; ++c) axis[r][c] = g.direction[3 * r + c] * g.spacing[c] * scale;
  }
}

std::array<double, 6> world_box(const io::Geometry& g) {
  std::array<double, 6> box{1e300, 1e300, 1e300, -1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const auto p = g.world((corner & 1) ? double(g.size[0] - 1) : 0.0, (corner & 2) ? double(g.size[1] - 1) : 0.0,
                           (corner & 4) ? double(g.size[2] - 1) : 0.0);
    for (int d = 0; d < 3; ++d) {
      box[d] = std::min(box[d], p[d]);
      box[3 + d] = std::max(box[3 + d], p[d]);
    }
  }
  return box;
}

FieldDomain fit_domain(const io::Geometry& a, const io::Geometry& b) {
  double lo = 1e300, hi = -1e300;
  for (const auto& box : {world_box(a), world_box(b)})
    for (int d = 0; d < 3; ++d) {
      // RAS = LPS with x and y negated: their box ends swap.
      const double low = d < 2 ? -box[3 + d] : box[d], high = d < 2 ? -box[d] : box[3 + d];
      lo = std::min(lo, low);
      hi = std::max(hi, high);
    }
  return FieldDomain::from_range(lo, hi);
}

io::Geometry union_grid(const io::Geometry& a, const io::Geometry& b, double spacing, double max_voxels) {
  require(spacing > 0 && std::isfinite(spacing), "--spacing must be positive");
  // Corners of both grids in a's axes (direction columns), relative to a's origin.
  double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
  const auto origin = a.world(0, 0, 0);
  for (const io::Geometry* g : {&a, &b})
    for (int corner = 0; corner < 8; ++corner) {
      const auto p = g->world((corner & 1) ? double(g->size[0] - 1) : 0.0, (corner & 2) ? double(g->size[1] - 1) : 0.0,
                              (corner & 4) ? double(g->size[2] - 1) : 0.0);
      for (int c = 0; c < 3; ++c) {
        double u = 0;
        for (int r = 0; r < 3; ++r) u += a.direction[3 * r + c] * (p[r] - origin[r]);
        lo[c] = std::min(lo[c], u);
        hi[c] = std::max(hi[c], u);
      }
    }
  io::Geometry grid;
  grid.direction = a.direction;
  double voxels = 1;
  for (int c = 0; c < 3; ++c) {
    grid.spacing[c] = spacing;
    const double size = std::floor((hi[c] - lo[c]) / spacing + 1e-9) + 1;
    voxels *= size;
    require(size < 1e7 && voxels <= max_voxels, "--spacing " + std::to_string(spacing) + " mm gives a grid above " +
                                                    std::to_string(static_cast<long long>(max_voxels)) + " voxels");
    grid.size[c] = std::size_t(size);
  }
  for (int r = 0; r < 3; ++r) {
    grid.origin[r] = origin[r];
    for (int c = 0; c < 3; ++c) grid.origin[r] += a.direction[3 * r + c] * lo[c];
  }
  return grid;
}

io::Geometry reference_grid(const io::Geometry& reference, double spacing) {
  return spacing > 0 ? union_grid(reference, reference, spacing) : reference;
}

std::string gigabytes(double bytes) {
  char text[64];
  std::snprintf(text, sizeof text, bytes < 1e12 ? "%.3g GB" : "%.0f GB", bytes / 1e9);
  return text;
}

void require_grid_memory(const io::Geometry& grid, double bytes_per_voxel) {
  const double needed = double(grid.voxels()) * bytes_per_voxel;
  const double limit = double(backends::host_memory_bytes());
  if (limit <= 0 || needed <= limit) return;
  char text[256];
  std::snprintf(text, sizeof text, "the output grid %zux%zux%zu (%.3g mm)", grid.size[0], grid.size[1], grid.size[2],
                grid.spacing[0]);
  throw InputError(std::string(text) + " would need " + gigabytes(needed) + " of memory, more than the " +
                   gigabytes(limit) + " this process may use: choose a coarser --spacing");
}

Matrix<float> grid_coordinates(const io::Geometry& grid, const FieldDomain& domain) {
  const GridMap map(grid, domain);
  Matrix<float> coords("grid_coords", 3, grid.voxels());
  Kokkos::parallel_for(
      "mcinr::grid_coordinates", Kokkos::RangePolicy<ExecSpace>(0, grid.voxels()), KOKKOS_LAMBDA(const std::size_t v) {
        const VoxelIndex ijk = voxel_index(v, map.nx, map.ny);
        for (int r = 0; r < 3; ++r) coords(r, v) = float(map.field(r, ijk));
      });
  return coords;
}

}  // namespace mcinr::pipeline
