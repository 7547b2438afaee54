// The slice-profile forward model: scans whose voxels average a slab across
// their slices. A field fitted to slab averages with the matching profile
// recovers detail across the slab that a point-sample fit loses (it learns
// the averaged, flattened function).
#include <catch2/catch.hpp>
#include <cmath>

#include "mcinr/core/device_copy.hpp"
#include "mcinr/core/phantom.hpp"
#include "mcinr/core/trainer.hpp"
#include "testing.hpp"

using namespace mcinr;

namespace {

constexpr double thickness = 0.4;  // the slab, field units, along z

double truth(int c, double x, double y, double z) {
  return phantom::value<double>(c, x, y, z) + 0.3 * std::sin(12.0 * z);
}

// Samples at random points; each value the box average of the truth over
// [z - t/2, z + t/2] (a 64-point midpoint rule).
SampleSet<float> slab_samples(std::size_t per_contrast) {
  SampleSet<float> set;
  const std::size_t total = 2 * per_contrast;
  set.coords = testing::random_matrix<float>("coords", 3, total, -0.8, 0.8, 3);
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), set.coords);
  std::vector<float> values(total);
  for (std::size_t s = 0; s < total; ++s) {
    const int c = s < per_contrast ? 0 : 1;
    double sum = 0;
    for (int q = 0; q < 64; ++q)
      sum += truth(c, host(0, s), host(1, s), host(2, s) + thickness * ((q + 0.5) / 64 - 0.5));
    values[s] = float(sum / 64);
  }
  set.values = Vector<float>("values", total);
  Kokkos::deep_copy(set.values, HostWindow<const float>(values.data(), total));
  set.counts = {per_contrast, per_contrast};
  return set;
}

double held_out_rmse(FieldTrainer<float>& trainer) {
  const auto points = testing::random_matrix<float>("held_out", 3, 3000, -0.7, 0.7, 99);
  Matrix<float> pred("pred", 3000, 2);
  trainer.predict(points, pred);
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  const auto y = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pred);
  double sse = 0;
  for (int c = 0; c < 2; ++c)
    for (int j = 0; j < 3000; ++j) {
      const double e = y(j, c) - truth(c, x(0, j), x(1, j), x(2, j));
      sse += e * e;
    }
  return std::sqrt(sse / 6000);
}

}  // namespace

TEST_CASE("a box-profile fit recovers what the slab average hides, a point fit does not", "[profile][training]") {
  FieldConfig field;
  field.encoding.fourier_features = 48;
  field.encoding.fourier_scale = 2.0;
  field.mlp.hidden = 64;
  field.mlp.layers = 2;
  field.mlp.head_hidden = 32;
  TrainConfig train;
  train.epochs = 60;
  train.batch_size = 500;
  train.adam.lr = 5e-3;
  train.profile_samples = 8;
  auto fit = [&](ProfileKind kind) {
    SampleSet<float> samples = slab_samples(4000);
    if (kind != ProfileKind::point) {
      SliceProfile p;
      p.kind = kind;
      p.thickness = {0, 0, thickness};
      samples.profiles = {p, p};
    }
    FieldTrainer<float> trainer(field, train, samples);
    for (int e = 0; e < train.epochs; ++e) trainer.train_epoch();
    return held_out_rmse(trainer);
  };
  const double point = fit(ProfileKind::point), box = fit(ProfileKind::box);
  INFO("held-out RMSE against the un-averaged truth: point " << point << ", box profile " << box);
  // The box average scales sin(12 z) by sin(2.4) / 2.4 = 0.28: a point fit
  // misses 72% of its amplitude 0.3, an RMS error of about 0.15.
  CHECK(point > 0.1);
  CHECK(box < 0.8 * point);  // 0.16 against 0.11 after 60 epochs (0.09 after 120)
}

TEST_CASE("profiles are refused where they cannot work", "[profile]") {
  TrainConfig train;
  train.profile_samples = 0;
  CHECK_THROWS_WITH(train.validate(), Catch::StartsWith("--profile-samples"));
  CHECK(parse_profile_kind("gaussian") == ProfileKind::gaussian);
  CHECK_THROWS_WITH(parse_profile_kind("sinc"), Catch::StartsWith("unknown --slice-profile 'sinc'"));
}

TEST_CASE("the Gaussian profile's points are its quantiles: equal shares of its weight", "[profile]") {
  // Phi^-1 against the C library's erfc: Phi(normal_quantile(p)) = p.
  for (const double p : {1e-6, 1.3e-3, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.77, 0.97575, 0.999, 1 - 1e-6}) {
    const double x = math::normal_quantile(p);
    INFO("p " << p << " x " << x);
    CHECK(0.5 * std::erfc(-x / std::sqrt(2.0)) == Approx(p).epsilon(1e-7));  // x within 1.2e-9 of it
  }
  // u spans +-3 sigma (FWHM one thickness), rising.
  const double sigma = 1 / 2.3548200450309493;
  double t = profile_offset(ProfileKind::gaussian, 0.0), last = -2;
  CHECK(t == Approx(-3 * sigma).epsilon(1e-8));
  for (int j = 0; j < 1000; ++j) {
    t = profile_offset(ProfileKind::gaussian, (j + 0.5) / 1000);
    CHECK(t > last);
    last = t;
  }
  // The K-point mean at the strata's centres integrates against the profile:
  // E[t^2] of a Gaussian truncated at 3 sigma is 0.97334 sigma^2 (the
  // midpoints miss the tails: 0.911 at K = 16, 0.972 at K = 256), E[t] = 0.
  for (const int k : {16, 256}) {
    double m1 = 0, m2 = 0;
    for (int j = 0; j < k; ++j) {
      t = profile_offset(ProfileKind::gaussian, (j + 0.5) / k);
      m1 += t / k;
      m2 += t * t / k;
    }
    INFO("K = " << k);
    CHECK(std::fabs(m1) < 1e-12);
    CHECK(m2 / (sigma * sigma) == Approx(0.97334).epsilon(k == 16 ? 0.08 : 0.003));
  }
}
