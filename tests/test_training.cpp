// The training loop end to end: a fit of a known smooth 3D two-contrast
// function reaches a low loss and predicts it between the samples, and two
// runs with one seed give bitwise-identical weights.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/phantom.hpp"
#include "core/trainer.hpp"
#include "testing.hpp"

using namespace mcinr;
using Scalar = float;

namespace {

// Contrast c sampled on a jittered random point cloud in [-1, 1]^3.
SampleSet<Scalar> phantom_samples(std::size_t per_contrast, std::uint64_t seed) {
  SampleSet<Scalar> set;
  const std::size_t total = 2 * per_contrast;
  set.coords = testing::random_matrix<Scalar>("coords", 3, total, -0.9, 0.9, seed);
  set.values = Vector<Scalar>("values", total);
  set.counts = {per_contrast, per_contrast};
  const auto coords = set.coords;
  const auto values = set.values;
  Kokkos::parallel_for(
      "phantom_values", Kokkos::RangePolicy<ExecSpace>(0, total), KOKKOS_LAMBDA(const std::size_t s) {
        const int c = s < per_contrast ? 0 : 1;
        values(s) = phantom::value<Scalar>(c, coords(0, s), coords(1, s), coords(2, s));
      });
  return set;
}

FieldConfig small_field() {
  FieldConfig field;
  field.fourier_features = 32;
  field.fourier_scale = 1.0;
  field.mlp.hidden = 64;
  field.mlp.layers = 2;
  field.mlp.head_hidden = 32;
  return field;
}

}  // namespace

TEST_CASE("a small field fits a known two-contrast function", "[training]") {
  TrainConfig train;
  train.epochs = 60;
  train.batch_size = 500;
  train.adam.lr = 5e-3;
  FieldTrainer<Scalar> trainer(small_field(), train, phantom_samples(6000, 1));
  EpochStats first{}, last{};
  for (int e = 0; e < train.epochs; ++e) {
    last = trainer.train_epoch();
    if (e == 0) first = last;
  }
  INFO("loss after epoch 1: " << first.loss << ", after " << last.epoch << ": " << last.loss);
  CHECK(last.loss < 2.5e-4);
  CHECK(last.loss < first.loss / 20);

  // Held-out points: the field interpolates, it does not only memorise.
  const auto held_out = testing::random_matrix<Scalar>("held_out", 3, 2000, -0.85, 0.85, 99);
  Matrix<Scalar> pred("pred", 2000, 2);
  trainer.predict(held_out, pred);
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), held_out);
  const auto y = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pred);
  for (int c = 0; c < 2; ++c) {
    double sse = 0;
    for (int j = 0; j < 2000; ++j) {
      const double e = y(j, c) - phantom::value<double>(c, x(0, j), x(1, j), x(2, j));
      sse += e * e;
    }
    const double rmse = std::sqrt(sse / 2000);
    INFO("contrast " << c + 1 << " held-out RMSE " << rmse);
    CHECK(rmse < 0.02);
  }
}

TEST_CASE("two runs with the same seed give bitwise-identical weights", "[training][determinism]") {
  TrainConfig train;
  train.epochs = 2;
  train.batch_size = 300;
  auto run = [&](std::uint64_t seed) {
    train.seed = seed;
    FieldTrainer<Scalar> trainer(small_field(), train, phantom_samples(1000, 3));
    trainer.train_epoch();
    trainer.train_epoch();
    return testing::to_host(trainer.mlp().parameters());
  };
  const auto a = run(12), b = run(12), c = run(13);
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0);
  CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(Scalar)) != 0);
}

TEST_CASE("the trainer rejects inconsistent input", "[training]") {
  TrainConfig train;
  auto samples = phantom_samples(10, 1);
  samples.counts = {10, 5};
  CHECK_THROWS_AS(FieldTrainer<Scalar>(small_field(), train, samples), std::invalid_argument);
  samples.counts = {20};
  CHECK_THROWS_AS(FieldTrainer<Scalar>(small_field(), train, samples), std::invalid_argument);
  train.batch_size = 0;
  samples.counts = {10, 10};
  CHECK_THROWS_AS(FieldTrainer<Scalar>(small_field(), train, samples), std::invalid_argument);
}

namespace {
int stop_queries = 0;
bool stop_on_second_query() { return ++stop_queries >= 2; }
bool never_stop() {
  ++stop_queries;
  return false;
}
}  // namespace

TEST_CASE("a prediction asks to stop between chunks and gives up when told", "[training]") {
  TrainConfig train;
  train.batch_size = 500;  // the MLP's capacity: 2000 points are 4 chunks
  FieldTrainer<Scalar> trainer(small_field(), train, phantom_samples(1000, 1));
  const auto points = testing::random_matrix<Scalar>("points", 3, 2000, -0.9, 0.9, 7);
  Matrix<Scalar> plain("plain", 2000, 2), polled("polled", 2000, 2), stopped("stopped", 2000, 2);
  CHECK(trainer.predict(points, plain));
  stop_queries = 0;
  CHECK(trainer.predict(points, polled, never_stop));
  CHECK(stop_queries == 3);  // before chunks 2, 3 and 4
  CHECK(testing::to_host(polled) == testing::to_host(plain));
  stop_queries = 0;
  CHECK_FALSE(trainer.predict(points, stopped, stop_on_second_query));
  CHECK(stop_queries == 2);
}
