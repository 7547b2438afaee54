// The Encoding seam: kinds by name, state round trips, and a trainable
// encoding registered from outside core (a learned per-feature scale) whose
// gradients are checked against finite differences and whose parameters the
// trainer trains with an Adam state of their own.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "learned_scale_encoding.hpp"
#include "mcinr/core/field.hpp"
#include "mcinr/core/fourier_encoding.hpp"
#include "mcinr/core/loss.hpp"
#include "mcinr/core/math.hpp"
#include "mcinr/core/phantom.hpp"
#include "mcinr/core/trainer.hpp"
#include "testing.hpp"

using namespace mcinr;

TEMPLATE_TEST_CASE("the Fourier encoding is made by name and restored from its state", "[encoding]", float, double) {
  using Scalar = TestType;
  EncodingConfig config;
  config.fourier_features = 8;
  config.fourier_scale = 2.5;
  const auto made = make_encoding<Scalar>(config, 7);
  const FourierEncoding<Scalar> direct(8, 2.5, 7);
  CHECK(made->kind() == "fourier");
  CHECK(made->output_dim() == 16);
  CHECK(made->parameter_count() == 0);
  const EncodingState state = made->state();
  CHECK(state.attribute("scale") == 2.5);
  CHECK(state.array("matrix").shape == std::vector<std::size_t>{8, 3});
  const auto restored = restore_encoding<Scalar>(state);
  const auto coords = testing::random_matrix<Scalar>("coords", 3, 50, -1, 1, 3);
  Matrix<Scalar> a("a", 16, 50), b("b", 16, 50), c("c", 16, 50);
  made->encode(coords, a);
  direct.encode(coords, b);
  restored->encode(coords, c);
  CHECK(testing::to_host(a) == testing::to_host(b));
  CHECK(testing::to_host(a) == testing::to_host(c));
}

TEST_CASE("the polynomial sine and cosine are within 1e-7 of the exact ones below 8192", "[encoding]") {
  double worst = 0;
  for (long i = -8191999; i <= 8191999; i += 3) {  // every 3 thousandths through the range
    const float x = float(i) * 1e-3f;
    float s = 0, c = 0;
    math::sincos_reduced(x, s, c);
    worst = std::max({worst, std::abs(s - std::sin(double(x))), std::abs(c - std::cos(double(x)))});
  }
  CHECK(worst < 1e-7);
  CHECK(worst > 0);  // it is an approximation: this test sees it
  // Double is the library's.
  double sd = 0, cd = 0;
  math::sincos_reduced(1.25, sd, cd);
  CHECK((sd == std::sin(1.25) && cd == std::cos(1.25)));
}

TEMPLATE_TEST_CASE("the Fourier encoding for prediction is the exact one within 1e-7", "[encoding]", float, double) {
  using Scalar = TestType;
  // Scale 40: phases up to about 2 pi 40 x 3 x 3; coordinates beyond the
  // domain (|x| up to 30) reach past the polynomial's range, where the
  // prediction encoding must fall back to the library.
  const FourierEncoding<Scalar> encoding(64, 40, 5);
  const auto inside = testing::random_matrix<Scalar>("inside", 3, 300, -1, 1, 8);
  const auto outside = testing::random_matrix<Scalar>("outside", 3, 300, -30, 30, 9);
  for (const auto& coords : {inside, outside}) {
    Matrix<Scalar> exact("exact", 128, 300), fast("fast", 128, 300);
    encoding.encode(coords, exact);
    encoding.encode_fast(coords, fast);
    const auto e = testing::to_host(exact), f = testing::to_host(fast);
    double worst = 0;
    for (std::size_t k = 0; k < e.size(); ++k) worst = std::max(worst, std::abs(double(e[k]) - double(f[k])));
    CHECK(worst < 2e-7);
    if (std::is_same_v<Scalar, double>) CHECK(e == f);
  }
  // Outside the polynomial's range the two are the same numbers; a NaN
  // coordinate gives NaN features in both.
  Matrix<Scalar> far("far", 3, 1), exact("exact", 128, 1), fast("fast", 128, 1);
  Kokkos::deep_copy(far, Scalar(30));
  encoding.encode(far, exact);
  encoding.encode_fast(far, fast);
  CHECK(testing::to_host(exact) == testing::to_host(fast));
  Kokkos::deep_copy(far, std::nan(""));
  encoding.encode_fast(far, fast);
  for (const Scalar v : testing::to_host(fast)) CHECK(std::isnan(v));
}

TEST_CASE("unknown encodings and bad options are refused by name", "[encoding]") {
  EncodingConfig config;
  config.kind = "wavelets";
  CHECK_THROWS_WITH(config.validate(), Catch::StartsWith("unknown --encoding 'wavelets'"));
  CHECK_THROWS_AS(make_encoding<float>(config, 1), std::invalid_argument);
  config.kind = "fourier";
  config.fourier_features = 0;
  CHECK_THROWS_WITH(config.validate(), Catch::StartsWith("--fourier-features"));
  config.fourier_features = 4;
  config.fourier_scale = -1;
  CHECK_THROWS_WITH(config.validate(), Catch::StartsWith("--fourier-scale"));
}

namespace {

// encoding -> MLP -> masked MSE on a few samples, in double.
struct ScaleProblem {
  std::unique_ptr<Encoding<double>> encoding;
  Mlp<double> mlp;
  Matrix<double> coords, encoded, d_output, d_encoded, d_coords;
  Vector<double> target;
  BatchSplit split = BatchSplit::counts({4, 3});

  ScaleProblem() {
    testing::register_learned_scale();
    EncodingConfig config;
    config.kind = "learned-scale";
    config.fourier_features = 4;
    config.fourier_scale = 1.5;
    encoding = make_encoding<double>(config, 3);
    // Scales away from 1, so that a wrong use of them shows.
    const auto s = testing::random_matrix<double>("scales", encoding->parameter_count(), 1, 0.5, 1.5, 21);
    Kokkos::deep_copy(encoding->parameters(), Kokkos::subview(s, Kokkos::ALL(), 0));
    MlpConfig mc;
    mc.input_dim = encoding->output_dim();
    mc.hidden = 6;
    mc.layers = 1;
    mc.head_hidden = 5;
    const std::size_t n = split.size();
    mlp = Mlp<double>(mc, n);
    mlp.initialize(11);
    coords = testing::random_matrix<double>("coords", 3, n, -1, 1, 5);
    const auto t = testing::random_matrix<double>("target", n, 1, 0, 1, 6);
    target = Vector<double>("target", n);
    Kokkos::deep_copy(target, Kokkos::subview(t, Kokkos::ALL(), 0));
    encoded = Matrix<double>("encoded", encoding->output_dim(), n);
    d_output = Matrix<double>("d_output", n, 2);
    d_encoded = Matrix<double>("d_encoded", encoding->output_dim(), n);
    d_coords = Matrix<double>("d_coords", 3, n);
  }
  double loss() {
    encoding->encode(coords, encoded);
    mlp.forward(encoded, split, true);
    return masked_mse<double>(mlp.output(), target, split, d_output);
  }
  template <class View> std::vector<double> numeric(const View& values) {
    return testing::central_differences(values, [this] { return loss(); });
  }
};

}  // namespace

TEST_CASE("a trainable encoding's gradients match finite differences", "[encoding][gradient]") {
  ScaleProblem p;
  p.loss();
  p.mlp.backward(p.encoded, p.d_output, p.split, true, p.d_encoded);
  p.encoding->backward(p.coords, p.d_encoded, p.d_coords);
  const auto analytic_scale = testing::to_host(p.encoding->gradients());
  const auto analytic_coords = testing::to_host(p.d_coords);
  const auto numeric_scale = p.numeric(p.encoding->parameters());
  const auto numeric_coords = p.numeric(p.coords);
  CHECK(testing::relative_error(analytic_scale, numeric_scale) < 1e-6);
  CHECK(testing::relative_error(analytic_coords, numeric_coords) < 1e-6);
  double norm = 0;
  for (double g : numeric_scale) norm += std::abs(g);
  CHECK(norm > 0);
}

TEMPLATE_TEST_CASE("the trainer trains an encoding's parameters with their own Adam and learning rate",
                   "[encoding][training]", float, double) {
  using Scalar = TestType;
  testing::register_learned_scale();
  FieldConfig field;
  field.encoding.kind = "learned-scale";
  field.encoding.fourier_features = 8;
  field.encoding.fourier_scale = 1;
  field.encoding.lr = 1e-2;
  field.mlp.hidden = 16;
  field.mlp.layers = 1;
  field.mlp.head_hidden = 8;
  TrainConfig train;
  train.epochs = 2;
  train.batch_size = 100;
  train.adam.lr = 1e-3;
  SampleSet<Scalar> samples;
  samples.coords = testing::random_matrix<Scalar>("coords", 3, 400, -1, 1, 2);
  samples.values = Vector<Scalar>("values", 400);
  Kokkos::deep_copy(samples.values, Scalar(0.5));
  samples.counts = {200, 200};
  FieldTrainer<Scalar> trainer(field, train, samples);
  REQUIRE(trainer.encoding().parameter_count() == 16);
  CHECK(trainer.field().parameter_count() == trainer.mlp().parameter_count() + 16);
  trainer.train_epoch();
  CHECK(trainer.encoding_optimizer().steps() == 4);
  const auto scales = testing::to_host(trainer.encoding().parameters());
  double moved = 0;
  for (Scalar s : scales) moved = std::max(moved, std::abs(double(s) - 1.0));
  // Adam's first steps move each parameter by about its learning rate.
  CHECK(moved > 5e-3);
  CHECK(moved < 0.1);
}
