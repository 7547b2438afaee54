#pragma once
// Voxel grids in world space and in the field's domain: voxel index <-> (i,
// j, k), bounding boxes, the union grid of two scans, and the field-domain
// coordinates of every voxel of a grid.
#include <array>

#include "mcinr/backends/types.hpp"
#include "mcinr/core/field_domain.hpp"
#include "mcinr/io/nifti.hpp"

namespace mcinr::pipeline {

// (i, j, k) of flat voxel index v on an nx x ny x . grid, x fastest.
struct VoxelIndex {
  std::size_t i, j, k;
};
KOKKOS_INLINE_FUNCTION VoxelIndex voxel_index(std::size_t v, std::size_t nx, std::size_t ny) {
  return {v % nx, (v / nx) % ny, v / (nx * ny)};
}

// Affine voxel -> field map of a grid, as plain numbers a kernel can capture:
// field = origin + axis[.][0] i + axis[.][1] j + axis[.][2] k.
struct GridMap {
  double origin[3], axis[3][3];
  std::size_t nx, ny;
  GridMap(const io::Geometry& g, const FieldDomain& domain);
  KOKKOS_INLINE_FUNCTION double field(int r, const VoxelIndex& v) const {
    return origin[r] + axis[r][0] * double(v.i) + axis[r][1] * double(v.j) + axis[r][2] * double(v.k);
  }
};

// World bounding box of a grid's voxel centres: {min x, min y, min z, max x, max y, max z}.
std::array<double, 6> world_box(const io::Geometry& g);

// One scalar range over all RAS coordinates of both grids (the reference's
// map; see FieldDomain).
FieldDomain fit_domain(const io::Geometry& a, const io::Geometry& b);

// A grid with image a's orientation and the given isotropic spacing (mm)
// that covers both grids' voxel centres. InputError for a bad spacing or a
// grid above max_voxels.
io::Geometry union_grid(const io::Geometry& a, const io::Geometry& b, double spacing, double max_voxels = 2e9);

// A reference image's grid, or with spacing > 0 its field of view and
// orientation at that isotropic spacing (the rule of fit and infer alike).
io::Geometry reference_grid(const io::Geometry& reference, double spacing);

// Refuses (InputError) an output grid whose voxels, at bytes_per_voxel,
// would need more than the memory this process may use
// (backends::host_memory_bytes): "the output grid AxBxC would need N GB ...".
void require_grid_memory(const io::Geometry& grid, double bytes_per_voxel);

// Bytes as a message shows them: "0.768 GB", "25.3 GB", "1280 GB".
std::string gigabytes(double bytes);

// Field-domain coordinates (3 x N) of every voxel of a grid, x fastest.
Matrix<float> grid_coordinates(const io::Geometry& grid, const FieldDomain& domain);

}  // namespace mcinr::pipeline
