// volume_stats VOLUME [MASK [VALUE]]: one line of facts about a NIfTI volume
// for the shell tests: "size AxBxC voxels N nonzero N integer yes|no" and,
// with a MASK on the same grid, "outside N nonzero_outside N" (voxels where
// the mask is VALUE, 0 by default, and those of them where the volume is
// not 0).
#include <cmath>
#include <cstdio>
#include <string>

#include "mcinr/io/nifti.hpp"

int main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: volume_stats VOLUME [MASK]\n");
    return 2;
  }
  try {
    const auto v = mcinr::io::read_nifti(argv[1]);
    std::size_t nonzero = 0;
    bool integer = true;
    for (float x : v.voxels) {
      nonzero += x != 0 ? 1 : 0;
      integer = integer && x == std::nearbyint(x);
    }
    const auto& s = v.geometry.size;
    std::printf("size %zux%zux%zu voxels %zu nonzero %zu integer %s", s[0], s[1], s[2], v.voxels.size(), nonzero,
                integer ? "yes" : "no");
    if (argc > 2) {
      const auto m = mcinr::io::read_nifti(argv[2]);
      if (m.geometry.size != s) {
        std::printf("\nthe mask's grid differs\n");
        return 1;
      }
      const float value = argc > 3 ? std::stof(argv[3]) : 0.0f;
      std::size_t outside = 0, nonzero_outside = 0;
      for (std::size_t i = 0; i < v.voxels.size(); ++i)
        if (m.voxels[i] == value) {
          ++outside;
          nonzero_outside += v.voxels[i] != 0 ? 1 : 0;
        }
      std::printf(" outside %zu nonzero_outside %zu", outside, nonzero_outside);
    }
    std::printf("\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volume_stats: %s\n", e.what());
    return 1;
  }
  return 0;
}
