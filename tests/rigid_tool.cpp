// Helpers of the registration tests (io/registration.hpp):
//   rigid_tool head DIR
//     DIR/head_c1_axial.nii.gz, DIR/head_c2_coronal.nii.gz: the synthetic
//     head's two aligned thick-slice scans (synthetic_head.hpp).
//   rigid_tool move IN OUT RX RY RZ TX TY TZ
//     OUT: IN with its header moved by the rigid motion G (degrees about the
//     world x, y, z axes through IN's field-of-view centre, then mm), voxels
//     unchanged: IN's voxel at world p lands at G(p). Registering OUT (as the
//     moving scan) to a scan aligned with IN should recover T = G.
//   rigid_tool compare A B [MM DEG]
//     How far B's header is from A's (same size): the largest distance
//     between the world positions A and B give one voxel, over A's nonzero
//     voxels (the brain of a skull-stripped scan), and the angle between their
//     orientations; and whether their voxels are the same bit for bit. Exit 1
//     beyond MM or DEG, or with other voxels, when MM and DEG are given.
//   rigid_tool transform FILE.tfm ORIGINAL MOVED [MM DEG]
//     How far the transform T in FILE is from the motion G that took
//     ORIGINAL's header to MOVED's (`move`): the largest |T(x) - G(x)| over
//     the world positions x of ORIGINAL's nonzero voxels, and the angle
//     between their rotations.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "mcinr/io/nifti.hpp"
#include "mcinr/io/registration.hpp"
#include "synthetic_head.hpp"

using namespace mcinr::io;

namespace {

constexpr double pi = 3.14159265358979323846;

RigidTransform motion(char** v, const std::array<double, 3>& centre) {
  RigidTransform g;
  g.center = centre;
  for (int d = 0; d < 3; ++d) {
    g.angles[d] = std::atof(v[d]) * pi / 180;
    g.translation[d] = std::atof(v[3 + d]);
  }
  return g;
}

std::array<double, 3> fov_centre(const Geometry& g) {
  return g.world(0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1));
}

double distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

// The angle (degrees) of the rotation taking direction a to direction b.
double angle_between(const std::array<double, 9>& a, const std::array<double, 9>& b) {
  double trace = 0;  // trace(a^T b)
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) trace += a[3 * k + i] * b[3 * k + i];
  return std::acos(std::clamp(0.5 * (trace - 1), -1.0, 1.0)) * 180 / pi;
}

int verdict(double mm, double deg, int argc, char** argv, int first) {
  if (argc <= first + 1) return 0;
  const double max_mm = std::atof(argv[first]), max_deg = std::atof(argv[first + 1]);
  if (mm <= max_mm && deg <= max_deg) {
    std::printf("within %g mm and %g degrees\n", max_mm, max_deg);
    return 0;
  }
  std::printf("FAIL: beyond %g mm or %g degrees\n", max_mm, max_deg);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "head" && argc == 3) {
      std::filesystem::create_directories(argv[2]);
      const std::string dir = argv[2];
      write_nifti(dir + "/head_c1_axial.nii.gz", mcinr::testing::axial_contrast1());
      write_nifti(dir + "/head_c2_coronal.nii.gz", mcinr::testing::coronal_contrast2());
      std::printf("%s: head_c1_axial.nii.gz, head_c2_coronal.nii.gz\n", argv[2]);
      return 0;
    }
    if (command == "move" && argc == 10) {
      const Volume in = read_nifti(argv[2]);
      const RigidTransform g = motion(argv + 4, fov_centre(in.geometry));
      rewrite_nifti_geometry(argv[2], argv[3], mcinr::testing::moved(in.geometry, g));
      std::printf("%s: header of %s moved by rotation %s %s %s degrees, translation %s %s %s mm\n", argv[3], argv[2],
                  argv[4], argv[5], argv[6], argv[7], argv[8], argv[9]);
      return 0;
    }
    if (command == "compare" && (argc == 4 || argc == 6)) {
      const Volume a = read_nifti(argv[2]), b_volume = read_nifti(argv[3]);
      const Geometry& b = b_volume.geometry;
      if (a.geometry.size != b.size) {
        std::printf("FAIL: the sizes differ\n");
        return 1;
      }
      double worst = 0;
      const auto& s = b.size;
      for (std::size_t k = 0; k < s[2]; ++k)
        for (std::size_t j = 0; j < s[1]; ++j)
          for (std::size_t i = 0; i < s[0]; ++i)
            if (a.at(i, j, k) != 0)
              worst = std::max(worst, distance(a.geometry.world(double(i), double(j), double(k)),
                                               b.world(double(i), double(j), double(k))));
      const double deg = angle_between(a.geometry.direction, b.direction);
      const bool same_voxels =
          std::memcmp(a.voxels.data(), b_volume.voxels.data(), a.voxels.size() * sizeof(float)) == 0;
      std::printf("headers differ by at most %.3f mm over the nonzero voxels, %.3f degrees; voxels %s\n", worst, deg,
                  same_voxels ? "identical" : "differ");
      if (!same_voxels && argc == 6) return 1;
      return verdict(worst, deg, argc, argv, 4);
    }
    if (command == "transform" && (argc == 5 || argc == 7)) {
      const RigidTransform t = read_transform(argv[2]);
      const Volume original = read_nifti(argv[3]);
      const Geometry moved = read_nifti(argv[4]).geometry;
      const Geometry& o = original.geometry;
      double worst = 0;
      const auto& s = o.size;
      for (std::size_t k = 0; k < s[2]; ++k)
        for (std::size_t j = 0; j < s[1]; ++j)
          for (std::size_t i = 0; i < s[0]; ++i)
            if (original.at(i, j, k) != 0)
              worst = std::max(worst, distance(t.apply(o.world(double(i), double(j), double(k))),
                                               moved.world(double(i), double(j), double(k))));
      // G's rotation: moved direction times the original's transposed.
      std::array<double, 9> g{};
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
          for (int q = 0; q < 3; ++q) g[3 * r + c] += moved.direction[3 * r + q] * o.direction[3 * c + q];
      const double deg = angle_between(t.rotation(), g);
      const auto a = t.angles_degrees();
      std::printf(
          "transform: rotation %.3f %.3f %.3f degrees, translation %.3f %.3f %.3f mm; off the truth by at most "
          "%.3f mm over the nonzero voxels, %.3f degrees\n",
          a[0], a[1], a[2], t.translation[0], t.translation[1], t.translation[2], worst, deg);
      return verdict(worst, deg, argc, argv, 5);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rigid_tool: %s\n", e.what());
    return 2;
  }
  std::fprintf(
      stderr,
      "usage: rigid_tool head DIR | move IN OUT RX RY RZ TX TY TZ | compare A B [MM DEG] | transform FILE.tfm ORIGINAL "
      "MOVED [MM DEG]\n");
  return 2;
}
