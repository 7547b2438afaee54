// core/metrics against values computed independently with numpy and
// scikit-image (tests/reference/metrics_reference.py, which builds the same
// closed-form volumes and prints the numbers asserted here).
#include <catch2/catch.hpp>
#include <cmath>

#include "core/metrics.hpp"

using namespace mcinr;

namespace {

constexpr std::size_t nx = 20, ny = 18, nz = 16;

struct Volumes {
  Kokkos::View<float*, MemSpace> truth, pred, other;
  Kokkos::View<std::uint8_t*, MemSpace> mask;
  std::size_t mask_voxels = 0;
};

Volumes make_volumes() {
  Volumes v;
  const std::size_t n = nx * ny * nz;
  v.truth = Kokkos::View<float*, MemSpace>("truth", n);
  v.pred = Kokkos::View<float*, MemSpace>("pred", n);
  v.other = Kokkos::View<float*, MemSpace>("other", n);
  v.mask = Kokkos::View<std::uint8_t*, MemSpace>("mask", n);
  auto t = Kokkos::create_mirror_view(v.truth);
  auto p = Kokkos::create_mirror_view(v.pred);
  auto o = Kokkos::create_mirror_view(v.other);
  auto m = Kokkos::create_mirror_view(v.mask);
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t idx = i + nx * (j + ny * k);
        const double truth = 100 + 50 * std::sin(0.3 * i) * std::cos(0.2 * j) + 20.0 * k / nz;
        t(idx) = float(truth);
        p(idx) = float(truth + 5 * std::sin(1.7 * i + 0.9 * j + 0.4 * k));
        o(idx) = float(30 + 10 * std::cos(0.25 * i + 0.1 * k) * std::sin(0.35 * j) + 0.5 * truth);
        const double ex = (i - 9.5) / 8, ey = (j - 8.5) / 7, ez = (k - 7.5) / 6;
        m(idx) = ex * ex + ey * ey + ez * ez <= 1;
        v.mask_voxels += m(idx);
      }
  Kokkos::deep_copy(v.truth, t);
  Kokkos::deep_copy(v.pred, p);
  Kokkos::deep_copy(v.other, o);
  Kokkos::deep_copy(v.mask, m);
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
  CHECK_THROWS_AS(mutual_information(v.truth, v.other, empty), std::invalid_argument);
  CHECK_THROWS_AS(ssim_reference(v.pred, v.truth, v.mask, GridShape{nx, ny, nz - 1}), std::invalid_argument);
  const Kokkos::View<float*, MemSpace> flat("flat", nx * ny * nz);
  CHECK_THROWS_AS(reference_normalize(flat, v.mask), std::invalid_argument);
}
