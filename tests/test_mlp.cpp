// The MLP: head skipping (each head only on its own contrast's columns) must give the
// same loss and gradients as computing every head on every column and
// masking, and must save the FLOPs it claims; initialisation is PyTorch's.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "mcinr/core/fourier_encoding.hpp"
#include "mcinr/core/loss.hpp"
#include "mcinr/core/mlp.hpp"
#include "testing.hpp"

using namespace mcinr;

TEMPLATE_TEST_CASE("head skipping equals the full computation", "[mlp][heads]", double, float) {
  using Scalar = TestType;
  const double tolerance = sizeof(Scalar) == 8 ? 1e-13 : 1e-5;
  const BatchSplit split = BatchSplit::counts({37, 27});
  const std::size_t n = split.size();
  MlpConfig config;
  config.input_dim = 16;
  config.hidden = 24;
  config.layers = 3;
  config.head_hidden = 12;
  Mlp<Scalar> mlp(config, n);
  mlp.initialize(4);
  const auto input = testing::random_matrix<Scalar>("input", config.input_dim, n, -1, 1, 8);
  const auto target_m = testing::random_matrix<Scalar>("target", n, 1, 0, 1, 9);
  const Vector<Scalar> target("target", n);
  Kokkos::deep_copy(target, Kokkos::subview(target_m, Kokkos::ALL(), 0));
  Matrix<Scalar> d_output("d_output", n, 2), d_input_skip("d_input", config.input_dim, n),
      d_input_full("d_input", config.input_dim, n);

  mlp.forward(input, split, true);
  const double loss_skip = masked_mse<Scalar>(mlp.output(), target, split, d_output);
  mlp.backward(input, d_output, split, true, d_input_skip);
  const auto grads_skip = testing::to_host(mlp.gradients());
  const auto din_skip = testing::to_host(d_input_skip);

  mlp.forward(input, split, false);
  const double loss_full = masked_mse<Scalar>(mlp.output(), target, split, d_output);
  mlp.backward(input, d_output, split, false, d_input_full);
  const auto grads_full = testing::to_host(mlp.gradients());
  const auto din_full = testing::to_host(d_input_full);

  CHECK(loss_skip == Approx(loss_full).epsilon(tolerance / 10));
  CHECK(testing::relative_error(grads_skip, grads_full) < tolerance);
  CHECK(testing::relative_error(din_skip, din_full) < tolerance);
  // Both heads really were trained on something.
  const auto& h0 = mlp.layout().heads[0][0];
  const auto& h1 = mlp.layout().heads[1][0];
  CHECK(grads_skip[h0.weight_offset] != 0);
  CHECK(grads_skip[h1.weight_offset] != 0);
}

TEST_CASE("head skipping saves about 9% of the forward FLOPs at the paper's sizes", "[mlp][heads]") {
  MlpConfig paper;  // defaults are the paper's: 512 -> 1024 x (1 + 4), heads 512 -> 1
  Mlp<float> mlp(paper, 1);
  const BatchSplit split = BatchSplit::counts({500, 500});
  const FlopCount skip = mlp.flops(split, true, false), full = mlp.flops(split, false, false);
  const double forward_saving = 1.0 - skip.forward / full.forward;
  const double step_saving = 1.0 - skip.total() / full.total();
  INFO("forward saving " << forward_saving << ", step saving " << step_saving);
  CHECK(forward_saving > 0.085);
  CHECK(forward_saving < 0.095);
  // The first layer needs no input gradient, so the trunk's backward is
  // lighter than 2x forward and the heads weigh more in a whole step.
  CHECK(step_saving > forward_saving);
  // ~11.6 MFLOP forward per sample at the paper's sizes (method.md), both heads.
  CHECK(mlp.flops(BatchSplit::whole(1, 2), false, false).forward == Approx(11.6e6).epsilon(0.01));
  CHECK(mlp.parameter_count() == Approx(5.8e6).epsilon(0.01));
}

TEST_CASE("initialisation follows PyTorch's nn.Linear defaults", "[mlp][init]") {
  MlpConfig config;
  config.input_dim = 64;
  config.hidden = 96;
  config.layers = 1;
  config.head_hidden = 48;
  Mlp<double> mlp(config, 1);
  mlp.initialize(12);
  const auto params = testing::to_host(mlp.parameters());
  for (const DenseLayer* layer : mlp.layout().all()) {
    // weight and bias uniform in +-1/sqrt(fan_in): mean 0, variance bound^2 / 3
    const double bound = 1.0 / std::sqrt(double(layer->in));
    double lo = 1, hi = -1, sum = 0, sum2 = 0;
    const std::size_t begin = layer->weight_offset, end = layer->bias_offset;
    for (std::size_t k = begin; k < end; ++k) {
      lo = std::min(lo, params[k]);
      hi = std::max(hi, params[k]);
      sum += params[k];
      sum2 += params[k] * params[k];
    }
    for (std::size_t k = layer->bias_offset; k < layer->bias_offset + layer->out; ++k)
      CHECK(std::abs(params[k]) <= bound);
    const double count = double(end - begin);
    INFO("layer " << layer->name);
    CHECK(lo >= -bound);
    CHECK(hi <= bound);
    if (count > 1000) {
      CHECK(sum / count == Approx(0).margin(0.05 * bound));
      CHECK(sum2 / count == Approx(bound * bound / 3).epsilon(0.1));
      CHECK(hi - lo > 1.9 * bound);
    }
  }
  Mlp<double> again(config, 1);
  again.initialize(12);
  CHECK(testing::to_host(again.parameters()) == params);
  again.initialize(13);
  CHECK(testing::to_host(again.parameters()) != params);
}
