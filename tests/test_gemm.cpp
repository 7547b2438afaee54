// The GEMM provider chosen at configure time against a plain triple loop,
// for every transpose combination, strided column windows and beta; the
// default dense hooks against their definition; a shape mismatch is an
// internal error.
#include <catch2/catch.hpp>

#include "mcinr/backends/gemm.hpp"
#include "testing.hpp"

using namespace mcinr;

namespace {

template <class Scalar>
std::vector<double> reference_gemm(bool ta, bool tb, double alpha, const Matrix<Scalar>& a, const Matrix<Scalar>& b,
                                   double beta, const Matrix<Scalar>& c) {
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  auto hc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), c);
  const std::size_t m = c.extent(0), n = c.extent(1), k = ta ? a.extent(0) : a.extent(1);
  std::vector<double> out;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      double sum = 0;
      for (std::size_t l = 0; l < k; ++l) sum += double(ta ? ha(l, i) : ha(i, l)) * double(tb ? hb(j, l) : hb(l, j));
      out.push_back(alpha * sum + beta * double(hc(i, j)));
    }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("the GEMM provider computes C = alpha op(A) op(B) + beta C", "[gemm]", float, double) {
  using Scalar = TestType;
  const backends::GemmProvider gemm;
  INFO("provider " << backends::GemmProvider::name());
  const std::size_t m = 13, n = 9, k = 17;
  for (const bool ta : {false, true})
    for (const bool tb : {false, true}) {
      const auto a = testing::random_matrix<Scalar>("a", ta ? k : m, ta ? m : k, -1, 1, 1);
      const auto b = testing::random_matrix<Scalar>("b", tb ? n : k, tb ? k : n, -1, 1, 2);
      const auto c = testing::random_matrix<Scalar>("c", m, n, -1, 1, 3);
      const auto expected = reference_gemm<Scalar>(ta, tb, 0.5, a, b, 2.0, c);
      gemm.gemm(ta ? 'T' : 'N', tb ? 'T' : 'N', Scalar(0.5), a, b, Scalar(2), c);
      Kokkos::fence();
      INFO("transposes " << ta << tb);
      CHECK(testing::relative_error(testing::to_host(c), expected) < (sizeof(Scalar) == 4 ? 1e-6 : 1e-14));
    }
  // Column windows of a wider matrix (a leading dimension larger than the rows).
  const auto wide = testing::random_matrix<Scalar>("wide", 7, 20, -1, 1, 4);
  const auto x = testing::random_matrix<Scalar>("x", 5, 3, -1, 1, 5);
  Matrix<Scalar> y("y", 7, 3);
  const MatrixRef<Scalar> window = columns(wide, 10, 15);
  gemm.gemm('N', 'N', Scalar(1), window, x, Scalar(0), y);
  Kokkos::fence();
  Matrix<Scalar> window_copy("window", 7, 5);
  Kokkos::deep_copy(window_copy, window);
  Matrix<Scalar> zero("zero", 7, 3);
  CHECK(testing::relative_error(testing::to_host(y), reference_gemm<Scalar>(false, false, 1, window_copy, x, 0, zero)) <
        (sizeof(Scalar) == 4 ? 1e-6 : 1e-14));
  Matrix<Scalar> wrong("wrong", 6, 3);
  CHECK_THROWS_AS(gemm.gemm('N', 'N', Scalar(1), window, x, Scalar(0), wrong), std::logic_error);
}

TEMPLATE_TEST_CASE("the default dense hooks: forward z = relu(Wx + b), backward dW, db, dx", "[gemm][dense]", float,
                   double) {
  using Scalar = TestType;
  const double tolerance = sizeof(Scalar) == 4 ? 1e-5 : 1e-13;
  const backends::GemmProvider gemm;
  const std::size_t in = 6, out = 4, n = 11;
  const auto w = testing::random_matrix<Scalar>("w", out, in, -1, 1, 6);
  const auto bm = testing::random_matrix<Scalar>("b", out, 1, -1, 1, 7);
  const Vector<Scalar> b("b", out);
  Kokkos::deep_copy(b, Kokkos::subview(bm, Kokkos::ALL(), 0));
  const auto x = testing::random_matrix<Scalar>("x", in, n, -1, 1, 8);
  Matrix<Scalar> z("z", out, n);
  gemm.dense_forward(w, b, x, z, backends::Activation::relu);
  Kokkos::fence();
  Matrix<Scalar> zero("zero", out, n);
  auto wx = reference_gemm<Scalar>(false, false, 1, w, x, 0, zero);
  const auto hb = testing::to_host(b);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < out; ++i) wx[i + out * j] = std::max(0.0, wx[i + out * j] + double(hb[i]));
  CHECK(testing::relative_error(testing::to_host(z), wx) < tolerance);

  const auto dz = testing::random_matrix<Scalar>("dz", out, n, -1, 1, 9);
  Matrix<Scalar> dw("dw", out, in), dx("dx", in, n);
  const Vector<Scalar> db("db", out);
  gemm.dense_backward(w, x, dz, dw, db, dx, Scalar(0));
  Kokkos::fence();
  Matrix<Scalar> zw("zw", out, in), zx("zx", in, n);
  CHECK(testing::relative_error(testing::to_host(dw), reference_gemm<Scalar>(false, true, 1, dz, x, 0, zw)) <
        tolerance);
  CHECK(testing::relative_error(testing::to_host(dx), reference_gemm<Scalar>(true, false, 1, w, dz, 0, zx)) <
        tolerance);
  const auto hdz = testing::to_host(dz);
  std::vector<double> expected_db(out, 0.0);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < out; ++i) expected_db[i] += hdz[i + out * j];
  CHECK(testing::relative_error(testing::to_host(db), expected_db) < tolerance);
  // An empty dx skips the input gradient.
  CHECK_NOTHROW(gemm.dense_backward(w, x, dz, dw, db, MatrixRef<Scalar>(), Scalar(0)));
}
