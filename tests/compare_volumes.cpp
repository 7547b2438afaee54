// compare_volumes A B [--geometry-only]: exit 0 when two NIfTI volumes have
// the same grid (size, spacing, origin, direction) and, unless
// --geometry-only, the same voxel values bit for bit.
#include <cstdio>
#include <cstring>

#include "mcinr/io/nifti.hpp"

int main(int argc, char* argv[]) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: compare_volumes A B [--geometry-only]\n");
    return 2;
  }
  const auto a = mcinr::io::read_nifti(argv[1]), b = mcinr::io::read_nifti(argv[2]);
  const bool geometry_only = argc > 3 && std::strcmp(argv[3], "--geometry-only") == 0;
  const auto &ga = a.geometry, &gb = b.geometry;
  if (ga.size != gb.size || ga.spacing != gb.spacing || ga.origin != gb.origin || ga.direction != gb.direction) {
    std::printf("grids differ\n");
    return 1;
  }
  if (!geometry_only)
    for (std::size_t i = 0; i < a.voxels.size(); ++i)
      if (std::memcmp(&a.voxels[i], &b.voxels[i], sizeof(float)) != 0) {
        std::printf("voxel %zu differs: %g vs %g\n", i, a.voxels[i], b.voxels[i]);
        return 1;
      }
  std::printf("identical %s\n", geometry_only ? "grids" : "volumes");
  return 0;
}
