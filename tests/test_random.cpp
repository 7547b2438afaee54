// The counter-based generator and the shuffle permutation.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "mcinr/core/fourier_encoding.hpp"
#include "mcinr/core/random.hpp"
#include "testing.hpp"

using namespace mcinr;

TEST_CASE("the shuffle is a permutation and changes with the epoch", "[random]") {
  for (std::uint64_t n : {1ull, 2ull, 3ull, 1000ull, 4097ull, 65536ull}) {
    const random::Permutation perm(n, 12, 0);
    Kokkos::View<std::uint64_t*, MemSpace> out("perm", n);
    Kokkos::parallel_for(
        "perm", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) { out(i) = perm(i); });
    const auto host = testing::to_host(out);
    std::vector<int> seen(n, 0);
    for (auto v : host) {
      REQUIRE(v < n);
      ++seen[v];
    }
    for (auto s : seen) REQUIRE(s == 1);
    if (n >= 1000) {
      const random::Permutation next(n, 12, 1);
      std::size_t same = 0, fixed = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        same += next(i) == host[i];
        fixed += host[i] == i;
      }
      CHECK(same < n / 100 + 5);
      CHECK(fixed < n / 100 + 5);
    }
  }
}

TEST_CASE("uniform and normal draws have the right moments", "[random]") {
  const int n = 200000;
  double su = 0, suu = 0, sn = 0, snn = 0;
  for (int i = 0; i < n; ++i) {
    const double u = random::uniform(3, 9, i);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    su += u;
    suu += u * u;
    const double z = random::normal_host(3, 9, i);
    sn += z;
    snn += z * z;
  }
  CHECK(su / n == Approx(0.5).margin(0.005));
  CHECK(suu / n - (su / n) * (su / n) == Approx(1.0 / 12).margin(0.002));
  CHECK(sn / n == Approx(0).margin(0.01));
  CHECK(snn / n == Approx(1).margin(0.01));
  CHECK(random::bits(1, 2, 3) != random::bits(2, 2, 3));
  CHECK(random::bits(1, 2, 3) != random::bits(1, 3, 3));
}

TEST_CASE("Fourier encoding matches its formula", "[encoding]") {
  using Scalar = double;
  const int features = 16;
  const double sigma = 4.0;
  FourierEncoding<Scalar> enc(features, sigma, 12);
  const auto coords = testing::random_matrix<Scalar>("coords", 3, 9, -1, 1, 2);
  Matrix<Scalar> out("out", 2 * features, 9);
  enc.encode(coords, out);
  const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), enc.matrix());
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), coords);
  const auto y = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  double sb = 0, sbb = 0;
  for (int f = 0; f < features; ++f)
    for (int d = 0; d < 3; ++d) {
      CHECK(b(f, d) ==
            random::normal_host(12, static_cast<std::uint64_t>(random::Stream::fourier_matrix), f * 3 + d) * sigma);
      sb += b(f, d);
      sbb += b(f, d) * b(f, d);
    }
  CHECK(std::sqrt(sbb / 48 - (sb / 48) * (sb / 48)) == Approx(sigma).epsilon(0.35));
  for (int j = 0; j < 9; ++j)
    for (int f = 0; f < features; ++f) {
      const double phase = 2 * M_PI * (b(f, 0) * x(0, j) + b(f, 1) * x(1, j) + b(f, 2) * x(2, j));
      CHECK(y(f, j) == Approx(std::sin(phase)).margin(1e-12));
      CHECK(y(f + features, j) == Approx(std::cos(phase)).margin(1e-12));
    }
}
