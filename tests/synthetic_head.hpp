#pragma once
// A synthetic subject for the registration tests: an analytic head in two
// contrasts, scanned with thick slices (a 1 x 1 x 4 mm axial scan of
// contrast 1, a 1 x 4 x 1 mm coronal scan of contrast 2, aligned), and
// rigid motions of a header.
#include <algorithm>
#include <array>
#include <cmath>

#include "mcinr/io/nifti.hpp"
#include "mcinr/io/registration.hpp"

namespace mcinr::testing {

using io::Geometry;
using io::RigidTransform;
using io::Volume;

// An analytic head at the world origin: a brain ellipsoid with ventricles, a
// lesion and two nuclei, each with its own value in the two contrasts (T1-
// and T2-like: the ventricles dark in one, bright in the other), edges 1 mm
// wide. Nothing in it is symmetric. (A smooth intensity gradient of opposite
// sign in the two contrasts, i.e. intensities that are no function of the
// tissue alone, moves the MI optimum by about 0.7 mm: real scans' bias
// fields do the same.)
inline double head(int contrast, double x, double y, double z) {
  struct Blob {
    double c[3], r[3], value[2];
  };
  static const Blob blobs[] = {
      {{0, 0, 0}, {40, 50, 35}, {100, 60}},   {{-8, 5, 5}, {4, 15, 8}, {-70, 90}},
      {{9, 3, 4}, {5, 13, 9}, {-70, 90}},     {{18, -20, -10}, {8, 6, 7}, {40, 140}},
      {{-20, 15, -12}, {6, 9, 5}, {-20, 30}}, {{5, 30, 15}, {10, 5, 6}, {30, -30}},
  };
  double v = 0;
  for (const Blob& b : blobs) {
    const double u[3] = {(x - b.c[0]) / b.r[0], (y - b.c[1]) / b.r[1], (z - b.c[2]) / b.r[2]};
    const double r = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    // 1 mm edge along the shortest radius.
    const double shortest = std::min({b.r[0], b.r[1], b.r[2]});
    v += b.value[contrast] / (1 + std::exp((r - 1) * shortest / 0.5));
  }
  return std::fabs(v) < 1e-6 ? 0 : v;  // exactly 0 outside: the background
}

// A thick-slice scan of the head: each voxel the mean over its slab (4
// samples along the thick axis), on a grid with identity direction.
inline Volume scan(int contrast, int thick_axis, std::array<std::size_t, 3> size, std::array<double, 3> origin) {
  Volume v;
  v.geometry.size = size;
  v.geometry.spacing = {1, 1, 1};
  v.geometry.spacing[thick_axis] = 4;
  v.geometry.origin = origin;
  v.voxels.resize(v.geometry.voxels());
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i) {
        double sum = 0;
        for (double d : {-1.5, -0.5, 0.5, 1.5}) {
          double index[3] = {double(i), double(j), double(k)};
          index[thick_axis] += d / 4;
          const auto p = v.geometry.world(index[0], index[1], index[2]);
          sum += head(contrast, p[0], p[1], p[2]);
        }
        v.at(i, j, k) = float(sum / 4);
      }
  return v;
}

// The header moved by the rigid motion G: each voxel's world position p
// becomes G(p) (the voxels unchanged).
inline Geometry moved(const Geometry& g, const RigidTransform& motion) {
  Geometry m = g;
  const auto r = motion.rotation();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double sum = 0;
      for (int k = 0; k < 3; ++k) sum += r[3 * i + k] * g.direction[3 * k + j];
      m.direction[3 * i + j] = sum;
    }
  m.origin = motion.apply(g.origin);
  return m;
}

// The two scans of the head (fields of view of about 96 x 116 x 86 mm).
inline const Volume& axial_contrast1() {
  static const Volume v = scan(0, 2, {96, 116, 22}, {-47.5, -57.5, -42});
  return v;
}
inline const Volume& coronal_contrast2() {
  static const Volume v = scan(1, 1, {96, 29, 84}, {-47.5, -56, -41.5});
  return v;
}

}  // namespace mcinr::testing
