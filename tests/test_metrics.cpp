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
}
