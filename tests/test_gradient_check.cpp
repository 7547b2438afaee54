// Finite-difference check of every gradient the engine computes by hand:
// each parameter block of each MLP shape, and the input path through the
// Fourier encoding, in double precision. Central differences with step h:
// truncation O(h^2) ~ 1e-12 relative, rounding ~ eps/h ~ 1e-10. Fits run in
// float, where finite differences say little: there the same kernels'
// gradients must equal the checked double ones to float precision.
#include <catch2/catch.hpp>

#include "mcinr/core/fourier_encoding.hpp"
#include "mcinr/core/loss.hpp"
#include "mcinr/core/mlp.hpp"
#include "testing.hpp"

using namespace mcinr;

namespace {

template <class Scalar> struct Problem {
  FourierEncoding<Scalar> encoding;
  Mlp<Scalar> mlp;
  Matrix<Scalar> coords;  // 3 x n
  Vector<Scalar> target;  // n
  BatchSplit split;
  Matrix<Scalar> encoded, d_output, d_encoded, d_coords;

  Problem(Architecture arch, std::vector<std::size_t> counts) : encoding(4, 1.5, 3), split(BatchSplit::counts(counts)) {
    MlpConfig config;
    config.architecture = arch;
    config.input_dim = encoding.output_dim();
    config.hidden = 6;
    config.layers = 2;
    config.head_hidden = 5;
    config.contrasts = static_cast<int>(counts.size());
    const std::size_t n = split.size();
    mlp = Mlp<Scalar>(config, n);
    mlp.initialize(11);
    coords = testing::random_matrix<Scalar>("coords", 3, n, -1, 1, 5);
    auto t = testing::random_matrix<Scalar>("target", n, 1, 0, 1, 6);
    target = Vector<Scalar>("target", n);
    Kokkos::deep_copy(target, Kokkos::subview(t, Kokkos::ALL(), 0));
    encoded = Matrix<Scalar>("encoded", encoding.output_dim(), n);
    d_output = Matrix<Scalar>("d_output", n, mlp.contrasts());
    d_encoded = Matrix<Scalar>("d_encoded", encoding.output_dim(), n);
    d_coords = Matrix<Scalar>("d_coords", 3, n);
  }

  double loss() {
    encoding.encode(coords, encoded);
    mlp.forward(encoded, split, true);
    return masked_mse<Scalar>(mlp.output(), target, split, d_output);
  }

  // Loss, then every gradient: parameters into mlp.gradients(), coordinates into d_coords.
  void gradients() {
    loss();
    mlp.backward(encoded, d_output, split, true, d_encoded);
    encoding.backward(coords, d_encoded, d_coords);
    Kokkos::fence();
  }
};

// Central difference of loss() with respect to entries [begin, end) of `values`.
template <class View>
std::vector<double> numeric_gradient(Problem<double>& p, const View& values, std::size_t begin, std::size_t end) {
  const double h = 1e-6;
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
  std::vector<double> grad;
  for (std::size_t k = begin; k < end; ++k) {
    const double saved = host.data()[k];
    host.data()[k] = saved + h;
    Kokkos::deep_copy(values, host);
    const double up = p.loss();
    host.data()[k] = saved - h;
    Kokkos::deep_copy(values, host);
    const double down = p.loss();
    host.data()[k] = saved;
    Kokkos::deep_copy(values, host);
    grad.push_back((up - down) / (2 * h));
  }
  return grad;
}

void check_all_blocks(Architecture arch, std::vector<std::size_t> counts) {
  const double tolerance = 1e-6;
  Problem<double> p(arch, counts);
  p.gradients();
  const auto analytic = testing::to_host(p.mlp.gradients());
  const auto coords_grad = testing::to_host(p.d_coords);
  for (const DenseLayer* layer : p.mlp.layout().all()) {
    const std::size_t w0 = layer->weight_offset, b0 = layer->bias_offset, b1 = layer->bias_offset + layer->out;
    const auto dw = numeric_gradient(p, p.mlp.parameters(), w0, b0);
    const auto db = numeric_gradient(p, p.mlp.parameters(), b0, b1);
    const std::vector<double> aw(analytic.begin() + w0, analytic.begin() + b0);
    const std::vector<double> ab(analytic.begin() + b0, analytic.begin() + b1);
    INFO(to_string(arch) << " layer " << layer->name);
    CHECK(testing::relative_error(aw, dw) < tolerance);
    CHECK(testing::relative_error(ab, db) < tolerance);
    // A block whose gradient is all zero would pass trivially: every block here receives signal.
    double norm = 0;
    for (double v : dw) norm += std::abs(v);
    CHECK(norm > 0);
  }
  const auto dx = numeric_gradient(p, p.coords, 0, p.coords.size());
  INFO(to_string(arch) << " coordinates (through the Fourier encoding)");
  CHECK(testing::relative_error(coords_grad, dx) < tolerance);
}

// The float kernels' gradients (parameters and coordinates) against the
// double ones, which the finite differences check.
void check_float_against_double(Architecture arch, std::vector<std::size_t> counts) {
  Problem<double> d(arch, counts);
  Problem<float> f(arch, counts);
  d.gradients();
  f.gradients();
  INFO(to_string(arch));
  CHECK(testing::relative_error(testing::to_host(f.mlp.gradients()), testing::to_host(d.mlp.gradients())) < 1e-4);
  CHECK(testing::relative_error(testing::to_host(f.d_coords), testing::to_host(d.d_coords)) < 1e-4);
  CHECK(f.loss() == Approx(d.loss()).epsilon(1e-5));
}

}  // namespace

TEST_CASE("split-head gradients match finite differences", "[gradient]") {
  check_all_blocks(Architecture::split_head, {4, 3});
}

TEST_CASE("vanilla gradients match finite differences", "[gradient]") {
  check_all_blocks(Architecture::vanilla, {3, 5});
}

TEST_CASE("single-contrast gradients match finite differences", "[gradient]") {
  check_all_blocks(Architecture::single, {7});
}

TEST_CASE("float gradients equal the checked double gradients to float precision", "[gradient][float]") {
  check_float_against_double(Architecture::split_head, {4, 3});
  check_float_against_double(Architecture::vanilla, {3, 5});
  check_float_against_double(Architecture::single, {7});
}

TEMPLATE_TEST_CASE("a contrast absent from the batch gets zero head gradients", "[gradient]", double, float) {
  Problem<TestType> p(Architecture::split_head, {6, 0});
  p.gradients();
  const auto grads = testing::to_host(p.mlp.gradients());
  const auto& head = p.mlp.layout().heads[1];
  double head_norm = 0;
  for (std::size_t k = head.front().weight_offset; k < head.back().bias_offset + head.back().out; ++k)
    head_norm += std::abs(grads[k]);
  CHECK(head_norm == 0);
  double trunk_norm = 0;
  for (std::size_t k = 0; k < p.mlp.layout().trunk[0].bias_offset; ++k) trunk_norm += std::abs(grads[k]);
  CHECK(trunk_norm > 0);
}

TEST_CASE("with a contrast absent, the rest still matches finite differences", "[gradient]") {
  Problem<double> p(Architecture::split_head, {6, 0});
  p.gradients();
  const auto grads = testing::to_host(p.mlp.gradients());
  const auto& trunk = p.mlp.layout().trunk[0];
  const auto dw = numeric_gradient(p, p.mlp.parameters(), trunk.weight_offset, trunk.bias_offset);
  const std::vector<double> aw(grads.begin() + trunk.weight_offset, grads.begin() + trunk.bias_offset);
  CHECK(testing::relative_error(aw, dw) < 1e-6);
}
