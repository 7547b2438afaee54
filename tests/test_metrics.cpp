// core/metrics against values computed independently with numpy and
// scikit-image (tests/reference/metrics_reference.py, which builds the same
// closed-form volumes and prints the numbers asserted here).
#include <catch2/catch.hpp>
#include <cmath>

#include "mcinr/core/metrics.hpp"
#include "metric_volumes.hpp"

using namespace mcinr;

namespace {

constexpr std::size_t nx = testing::MetricVolumes::nx, ny = testing::MetricVolumes::ny, nz = testing::MetricVolumes::nz;

struct Volumes {
  Kokkos::View<float*, MemSpace> truth, pred, other;
  Kokkos::View<std::uint8_t*, MemSpace> mask;
  std::size_t mask_voxels = 0;
};

template <class T> Kokkos::View<T*, MemSpace> to_device(const std::vector<T>& host, const char* label) {
  Kokkos::View<T*, MemSpace> view(std::string(label), host.size());
  Kokkos::deep_copy(view, Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(host.data(), host.size()));
  return view;
}

Volumes make_volumes() {
  const testing::MetricVolumes host;
  Volumes v;
  v.truth = to_device(host.truth, "truth");
  v.pred = to_device(host.pred, "pred");
  v.other = to_device(host.other, "other");
  v.mask = to_device(host.mask, "mask");
  for (auto m : host.mask) v.mask_voxels += m;
  return v;
}

}  // namespace

TEST_CASE("PSNR and SSIM match scikit-image with the reference's normalisation", "[metrics]") {
  const Volumes v = make_volumes();
  REQUIRE(v.mask_voxels == 1416);
  const GridShape shape{nx, ny, nz};
  CHECK(psnr_reference(v.pred, v.truth, v.mask) == Approx(35.61473743270184).epsilon(1e-6));
  CHECK(ssim_reference(v.pred, v.truth, v.mask, shape) == Approx(0.989558459092595).epsilon(1e-6));
  // Identical volumes: SSIM 1, PSNR infinite.
  CHECK(ssim_reference(v.truth, v.truth, v.mask, shape) == Approx(1.0).epsilon(1e-12));
  CHECK(std::isinf(psnr_reference(v.truth, v.truth, v.mask)));
}

TEST_CASE("mutual information matches numpy's joint histogram", "[metrics]") {
  const Volumes v = make_volumes();
  CHECK(mutual_information(v.pred, v.truth, v.mask) == Approx(1.7923209816283245).epsilon(1e-6));
  CHECK(mutual_information(v.truth, v.other, v.mask) == Approx(0.9101945035872656).epsilon(1e-6));
  CHECK(mutual_information(v.truth, v.other, v.mask, 16) == Approx(0.7214280588989864).epsilon(1e-6));
  CHECK(mutual_information(v.truth, v.other, ConstMask()) == Approx(1.1416011771237833).epsilon(1e-6));
  // MI is symmetric, and an image shares all its information with itself: MI = H.
  CHECK(mutual_information(v.other, v.truth, v.mask) == Approx(0.9101945035872656).epsilon(1e-6));
  CHECK(mutual_information(v.truth, v.truth, v.mask) > mutual_information(v.truth, v.other, v.mask));
}

TEST_CASE("metrics refuse bad input", "[metrics]") {
  const Volumes v = make_volumes();
  const Kokkos::View<std::uint8_t*, MemSpace> empty("empty", nx * ny * nz);
  CHECK_THROWS_AS(mutual_information(v.truth, v.other, empty), std::runtime_error);  // a diverged fit, say
  CHECK_THROWS_AS(ssim_reference(v.pred, v.truth, v.mask, GridShape{nx, ny, nz - 1}), std::logic_error);
  const Kokkos::View<float*, MemSpace> flat("flat", nx * ny * nz);
  CHECK_THROWS_AS(reference_normalize(flat, v.mask), std::invalid_argument);
  // Unless a flat prediction is to score as the zero image.
  Kokkos::deep_copy(flat, 3.0f);
  const auto zero = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), reference_normalize(flat, v.mask, true));
  REQUIRE(zero.extent(0) == flat.extent(0));
  for (std::size_t i = 0; i < zero.extent(0); ++i) CHECK(zero(i) == 0.0);
}

TEST_CASE("SSIM over the box where two volumes differ equals the full SSIM, mask_box finds the box", "[metrics]") {
  const GridShape shape{40, 32, 28};
  std::vector<double> a(shape.size());
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) / double(1ULL << 53);
  };
  for (double& v : a) v = next();
  const VoxelBox boxes[] = {{{10, 5, 12}, {20, 15, 22}},   // inside, rim inside the volume
                            {{0, 3, 20}, {4, 30, 28}},     // touching three faces
                            {{17, 16, 13}, {18, 17, 14}}};  // one voxel
  for (const VoxelBox& box : boxes) {
    std::vector<double> b = a;
    std::vector<std::uint8_t> mask(shape.size(), 0);
    for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
      for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
        for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) {
          const std::size_t v = i + shape.nx * (j + shape.ny * k);
          b[v] = 0.5 * a[v] + 0.5 * next();
          if ((i + j + k) % 3 == 0 || (i == box.lo[0] && j == box.lo[1] && k == box.lo[2]) ||
              (i + 1 == box.hi[0] && j + 1 == box.hi[1] && k + 1 == box.hi[2]))
            mask[v] = 1;
        }
    const auto da = to_device(a, "a"), db = to_device(b, "b");
    const double full = ssim(da, db, shape);
    CHECK(full < 1.0);
    CHECK(ssim(da, db, shape, box) == Approx(full).epsilon(1e-12));
    const VoxelBox found = mask_box(to_device(mask, "mask"), shape);
    for (int d = 0; d < 3; ++d) {
      CHECK(found.lo[d] == box.lo[d]);
      CHECK(found.hi[d] == box.hi[d]);
    }
  }
  CHECK(ssim(to_device(a, "a"), to_device(a, "a"), shape, VoxelBox{}) == 1.0);
}

TEST_CASE("SSIM equals a direct computation of every 7^3 window, across the filter's slabs", "[metrics]") {
  // 75 planes along z: the filter works in slabs of 32 output planes, so
  // this volume takes three (32, 32 and 5).
  const GridShape shape{13, 11, 75};
  std::uint64_t state = 2024;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) / double(1ULL << 53);
  };
  std::vector<double> a(shape.size()), b(shape.size());
  for (std::size_t v = 0; v < a.size(); ++v) {
    a[v] = next();
    b[v] = 0.7 * a[v] + 0.3 * next();
  }
  auto direct = [&](const std::vector<double>& x, const std::vector<double>& y) {
    double total = 0;
    std::size_t windows = 0;
    for (std::size_t k = 0; k + 7 <= shape.nz; ++k)
      for (std::size_t j = 0; j + 7 <= shape.ny; ++j)
        for (std::size_t i = 0; i + 7 <= shape.nx; ++i) {
          double mx = 0, my = 0;
          for (std::size_t c = 0; c < 7; ++c)
            for (std::size_t bb = 0; bb < 7; ++bb)
              for (std::size_t aa = 0; aa < 7; ++aa) {
                const std::size_t v = (i + aa) + shape.nx * ((j + bb) + shape.ny * (k + c));
                mx += x[v];
                my += y[v];
              }
          mx /= 343;
          my /= 343;
          double vx = 0, vy = 0, cxy = 0;
          for (std::size_t c = 0; c < 7; ++c)
            for (std::size_t bb = 0; bb < 7; ++bb)
              for (std::size_t aa = 0; aa < 7; ++aa) {
                const std::size_t v = (i + aa) + shape.nx * ((j + bb) + shape.ny * (k + c));
                vx += (x[v] - mx) * (x[v] - mx);
                vy += (y[v] - my) * (y[v] - my);
                cxy += (x[v] - mx) * (y[v] - my);
              }
          vx /= 342;  // sample covariance, as skimage's default
          vy /= 342;
          cxy /= 342;
          const double c1 = 1e-4, c2 = 9e-4;
          total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
          ++windows;
        }
    return total / double(windows);
  };
  const double expected = direct(a, b);
  CHECK(expected < 0.99);
  CHECK(ssim(to_device(a, "a"), to_device(b, "b"), shape) == Approx(expected).epsilon(1e-12));
  // Equal outside a box that touches x = 0; with its 6-voxel rim it covers
  // 56 output planes, two slabs.
  const VoxelBox box{{0, 2, 10}, {9, 8, 60}};
  std::vector<double> boxed = a;
  for (std::size_t k = box.lo[2]; k < box.hi[2]; ++k)
    for (std::size_t j = box.lo[1]; j < box.hi[1]; ++j)
      for (std::size_t i = box.lo[0]; i < box.hi[0]; ++i) {
        const std::size_t v = i + shape.nx * (j + shape.ny * k);
        boxed[v] = b[v];
      }
  const double expected_box = direct(a, boxed);
  CHECK(expected_box < 0.999);
  CHECK(ssim(to_device(a, "a"), to_device(boxed, "boxed"), shape, box) == Approx(expected_box).epsilon(1e-12));
}
