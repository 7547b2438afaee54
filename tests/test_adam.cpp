// The fused Adam kernel against Adam worked out independently on the host
// (Kingma & Ba's bias-corrected form), and the cosine schedule.
#include <catch2/catch.hpp>
#include <cfenv>
#include <cmath>
#include <thread>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/core/adam.hpp"
#include "testing.hpp"

using namespace mcinr;

TEMPLATE_TEST_CASE("Adam steps match the textbook update", "[adam]", double, float) {
  using Scalar = TestType;
  const double tolerance = sizeof(Scalar) == 8 ? 1e-12 : 2e-6;
  const std::vector<double> p0 = {0.5, -1.25, 3.0, 0.0, 1e-3};
  const std::vector<std::vector<double>> g = {
      {0.1, -0.2, 0.0, 5.0, -1e-4}, {0.3, 0.1, 1e-6, -5.0, 2e-4}, {-0.2, -0.4, 2.0, 1.0, 0.0}};
  const double lrs[3] = {1e-2, 5e-3, 2.5e-3};
  AdamConfig config;
  config.lr = 1e-2;
  Adam<Scalar> adam(p0.size(), config);
  Vector<Scalar> params("params", p0.size()), grads("grads", p0.size());
  auto hp = Kokkos::create_mirror_view(params);
  auto hg = Kokkos::create_mirror_view(grads);
  for (std::size_t i = 0; i < p0.size(); ++i) hp(i) = Scalar(p0[i]);
  Kokkos::deep_copy(params, hp);

  std::vector<double> p = p0, m(p0.size(), 0), v(p0.size(), 0);
  for (int t = 1; t <= 3; ++t) {
    for (std::size_t i = 0; i < p0.size(); ++i) hg(i) = Scalar(g[t - 1][i]);
    Kokkos::deep_copy(grads, hg);
    adam.step(params, grads, lrs[t - 1]);
    for (std::size_t i = 0; i < p.size(); ++i) {
      m[i] = 0.9 * m[i] + 0.1 * g[t - 1][i];
      v[i] = 0.999 * v[i] + 0.001 * g[t - 1][i] * g[t - 1][i];
      const double m_hat = m[i] / (1 - std::pow(0.9, t));
      const double v_hat = v[i] / (1 - std::pow(0.999, t));
      p[i] -= lrs[t - 1] * m_hat / (std::sqrt(v_hat) + 1e-8);
    }
    const auto got = testing::to_host(params);
    for (std::size_t i = 0; i < p.size(); ++i)
      CHECK(got[i] == Approx(p[i]).epsilon(tolerance).margin(sizeof(Scalar) == 8 ? 1e-15 : 1e-8));
    if (t == 1) {
      // First step by hand: m_hat = g, v_hat = g^2, so p moves by lr * g / (|g| + eps).
      CHECK(got[0] == Approx(0.5 - 1e-2 * 0.1 / (0.1 + 1e-8)).epsilon(tolerance));
      CHECK(got[2] == 3.0);  // zero gradient, zero moments: no move
    }
  }
  CHECK(adam.steps() == 3);
  const auto moments = testing::to_host(adam.first_moment());
  CHECK(moments[3] == Approx(0.1 * (0.81 * 5.0 - 0.9 * 5.0 + 1.0)).epsilon(tolerance));
}

TEST_CASE("cosine annealing per epoch", "[adam][schedule]") {
  CHECK(cosine_learning_rate(4e-4, 0, 50) == Approx(4e-4));
  CHECK(cosine_learning_rate(4e-4, 25, 50) == Approx(2e-4));
  CHECK(cosine_learning_rate(4e-4, 50, 50) == Approx(0).margin(1e-18));
  CHECK(cosine_learning_rate(1.0, 1, 4) == Approx((1 + std::cos(3.141592653589793 / 4)) / 2));
  CHECK_THROWS(cosine_learning_rate(1.0, 0, 0));
}

TEST_CASE("a step plan moved to a new end keeps the rate where it is", "[adam][schedule]") {
  CHECK(cosine_step_rate(1.0, 5, 100, 10) == 1.0);
  CHECK(cosine_step_rate(1.0, 55, 100, 10) == Approx(0.5));
  CHECK(cosine_step_rate(1.0, 100, 100, 10) == Approx(0).margin(1e-15));
  CHECK(cosine_step_rate(1.0, 150, 100, 10) == Approx(0).margin(1e-15));
  // Stretched and shrunk plans, from several points of the fall.
  for (const std::uint64_t done : {20, 50, 90})
    for (const std::uint64_t new_total : {95, 130, 400}) {
      if (new_total <= done) continue;
      const std::uint64_t c = replanned_constant_steps(100, 10, done, new_total);
      INFO("done " << done << ", new total " << new_total << ", constant " << c);
      CHECK(c <= done);
      // The rate at `done` stays within one step's rounding of the old
      // plan's, unless keeping it would need a flat part before step 0:
      // then the fall restarts from a higher rate, never a lower one.
      const double before = cosine_step_rate(1.0, done, 100, 10);
      const double progress = double(done - 10) / 90.0;
      if (double(done) >= progress * double(new_total)) {
        CHECK(std::abs(cosine_step_rate(1.0, done, new_total, c) - before) < 0.01);
      } else {
        CHECK(c == 0);
        CHECK(cosine_step_rate(1.0, done, new_total, c) > before);
      }
      // ...and the new plan still ends at 0 on its last step.
      CHECK(cosine_step_rate(1.0, new_total, new_total, c) == Approx(0).margin(1e-15));
      if (new_total > 100) CHECK(cosine_step_rate(1.0, 100, new_total, c) > 0.0);  // stretched: still falling
    }
  // Still in the flat part: nothing to keep; a spent plan stays spent.
  CHECK(replanned_constant_steps(100, 10, 5, 200) == 5);
  CHECK(replanned_constant_steps(100, 10, 120, 200) == 120);
}

TEST_CASE("a first moment whose gradient stays 0 decays to exactly 0, never to a subnormal", "[adam]") {
  // The gradient of a ReLU unit that stopped firing: one step of 1e-3, then
  // zeros. m falls by 0.9 a step from 1e-4 and passes FLT_MIN (1.2e-38)
  // near step 730; unflushed, it then sticks at the smallest subnormal (0.9
  // times it rounds back to it). Every main() of mcinr flushes subnormals
  // (backends::flush_subnormals): each operation on one costs a microcode
  // assist.
  Adam<float> adam(2, AdamConfig{});
  Vector<float> params("params", 2), grads("grads", 2);
  Kokkos::deep_copy(params, 0.5f);
  Kokkos::deep_copy(grads, 1e-3f);
  adam.step(params, grads, 1e-4);
  Kokkos::deep_copy(grads, 0.0f);
  const float after_one = testing::to_host(params)[0];
  int subnormal_steps = 0;
  for (int t = 2; t <= 1000; ++t) {
    adam.step(params, grads, 1e-4);
    const float m = testing::to_host(adam.first_moment())[0];
    if (std::fpclassify(m) == FP_SUBNORMAL) ++subnormal_steps;
  }
  CHECK(subnormal_steps == 0);
  CHECK(testing::to_host(adam.first_moment())[0] == 0.0f);
  CHECK(testing::to_host(adam.second_moment())[0] > 0.0f);  // 1e-9 * 0.999^999: far from subnormal
  // The vanishing moment kept moving the parameter, by less each step.
  CHECK(testing::to_host(params)[0] < after_one);
}

TEST_CASE("flush_subnormals makes the calling thread flush subnormal results to 0", "[adam][backends]") {
#if defined(__x86_64__) || defined(__aarch64__)
  bool before = false, after = false;
  std::thread([&] {
    std::fesetenv(FE_DFL_ENV);  // the default: subnormals kept
    volatile float tiny = 1e-37f;
    before = std::fpclassify(tiny * 0.01f) == FP_SUBNORMAL;
    backends::flush_subnormals();
    after = tiny * 0.01f == 0.0f;
  }).join();
  CHECK(before);
  CHECK(after);
#else
  WARN("no flush-to-zero control known on this architecture");
#endif
}
