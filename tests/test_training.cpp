// The training loop end to end: a fit of a known smooth 3D two-contrast
// function reaches a low loss and predicts it between the samples; two runs
// with one seed give bitwise-identical weights; an epoch stopped between
// batches and continued gives the weights of one never stopped.
#include <catch2/catch.hpp>
#include <algorithm>
#include <limits>
#include <cmath>
#include <cstring>
#include <vector>

#include "mcinr/core/phantom.hpp"
#include "mcinr/core/random.hpp"
#include "mcinr/core/trainer.hpp"
#include "testing.hpp"

using namespace mcinr;

namespace {

// Contrast c sampled on a jittered random point cloud in [-1, 1]^3.
template <class Scalar = float> SampleSet<Scalar> phantom_samples(std::size_t per_contrast, std::uint64_t seed) {
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
  field.encoding.fourier_features = 32;
  field.encoding.fourier_scale = 1.0;
  field.mlp.hidden = 64;
  field.mlp.layers = 2;
  field.mlp.head_hidden = 32;
  return field;
}

}  // namespace

TEST_CASE("a small field fits a known two-contrast function", "[training]") {
  using Scalar = float;
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

TEMPLATE_TEST_CASE("two runs with the same seed give bitwise-identical weights", "[training][determinism]", float,
                   double) {
  using Scalar = TestType;
  TrainConfig train;
  train.epochs = 2;
  train.batch_size = 300;
  auto run = [&](std::uint64_t seed) {
    train.seed = seed;
    FieldTrainer<Scalar> trainer(small_field(), train, phantom_samples<Scalar>(1000, 3));
    trainer.train_epoch();
    trainer.train_epoch();
    return testing::to_host(trainer.mlp().parameters());
  };
  const auto a = run(12), b = run(12), c = run(13);
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0);
  CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(Scalar)) != 0);
}

TEST_CASE("fast encoding trains the same field within rounding, and is the exact path in double", "[training]") {
  TrainConfig train;
  train.epochs = 2;
  train.batch_size = 300;
  auto run = [&](auto scalar, bool fast, std::vector<double>& losses) {
    using Scalar = decltype(scalar);
    train.fast_encoding = fast;
    FieldTrainer<Scalar> trainer(small_field(), train, phantom_samples<Scalar>(1000, 3));
    const auto initial = testing::to_host(trainer.mlp().parameters());
    losses.push_back(trainer.train_epoch().loss);
    losses.push_back(trainer.train_epoch().loss);
    std::vector<double> moved;
    const auto now = testing::to_host(trainer.mlp().parameters());
    for (std::size_t i = 0; i < now.size(); ++i) moved.push_back(double(now[i]) - double(initial[i]));
    return std::make_pair(now, moved);
  };
  std::vector<double> exact_loss, fast_loss;
  const auto [exact, exact_moved] = run(float(), false, exact_loss);
  const auto [fast, fast_moved] = run(float(), true, fast_loss);
  REQUIRE(exact.size() == fast.size());
  // The flag takes effect: float weights differ in their last bits ...
  CHECK(std::memcmp(exact.data(), fast.data(), exact.size() * sizeof(float)) != 0);
  // ... and only there: the steps agree to rounding (1e-7 in the features).
  double largest_step = 0, largest_gap = 0;
  for (std::size_t i = 0; i < exact.size(); ++i) {
    largest_step = std::max(largest_step, std::abs(exact_moved[i]));
    largest_gap = std::max(largest_gap, std::abs(exact_moved[i] - fast_moved[i]));
  }
  INFO("largest weight change " << largest_step << ", largest difference " << largest_gap);
  CHECK(largest_gap < 1e-3 * largest_step);
  for (int e = 0; e < 2; ++e) CHECK(fast_loss[e] == Approx(exact_loss[e]).epsilon(1e-4));
  // In double the fast form is the exact one: bit for bit.
  std::vector<double> unused;
  const auto exact64 = run(double(), false, unused).first;
  const auto fast64 = run(double(), true, unused).first;
  CHECK(std::memcmp(exact64.data(), fast64.data(), exact64.size() * sizeof(double)) == 0);
}

TEST_CASE("the trainer rejects inconsistent input", "[training]") {
  using Scalar = float;
  TrainConfig train;
  auto samples = phantom_samples(10, 1);
  samples.counts = {10, 5};  // an engine bug, not the user's input
  CHECK_THROWS_AS(FieldTrainer<Scalar>(small_field(), train, samples), std::logic_error);
  samples.counts = {20};
  CHECK_THROWS_AS(FieldTrainer<Scalar>(small_field(), train, samples), std::logic_error);
  train.batch_size = 0;  // a bad option
  samples.counts = {10, 10};
  CHECK_THROWS_WITH(FieldTrainer<Scalar>(small_field(), train, samples), Catch::StartsWith("--batch-size"));
  train.batch_size = 100;
  train.epochs = 0;
  CHECK_THROWS_WITH(FieldTrainer<Scalar>(small_field(), train, samples), Catch::StartsWith("--epochs"));
}

TEMPLATE_TEST_CASE("an epoch stopped between batches and continued equals one never stopped", "[training][resume]",
                   float, double) {
  using Scalar = TestType;
  TrainConfig train;
  train.epochs = 3;
  train.batch_size = 200;
  FieldTrainer<Scalar> straight(small_field(), train, phantom_samples<Scalar>(700, 5));
  for (int e = 0; e < 2; ++e) REQUIRE(straight.run_epoch().finished);

  FieldTrainer<Scalar> stopped(small_field(), train, phantom_samples<Scalar>(700, 5));
  REQUIRE(stopped.run_epoch().finished);
  int calls = 0;
  std::size_t observed = 0;
  const EpochResult part = stopped.run_epoch(
      {}, [&] { return ++calls == 3; }, [&](const BatchProgress& p) { observed = p.batch; });
  CHECK_FALSE(part.finished);
  CHECK(part.position.next_batch == 3);
  CHECK(observed == 3);
  CHECK(stopped.epochs_done() == 1);
  // A new trainer with the weights, moments and position continues the epoch
  // (what a checkpoint carries).
  FieldTrainer<Scalar> resumed(small_field(), train, phantom_samples<Scalar>(700, 5));
  Kokkos::deep_copy(resumed.mlp().parameters(), stopped.mlp().parameters());
  Kokkos::deep_copy(resumed.optimizer().first_moment(), stopped.optimizer().first_moment());
  Kokkos::deep_copy(resumed.optimizer().second_moment(), stopped.optimizer().second_moment());
  resumed.optimizer().set_steps(stopped.optimizer().steps());
  resumed.set_epochs_done(stopped.epochs_done());
  const EpochResult rest = resumed.run_epoch(part.position);
  REQUIRE(rest.finished);
  CHECK(resumed.epochs_done() == 2);
  CHECK(rest.stats.epoch == 2);
  const auto a = testing::to_host(straight.mlp().parameters()), b = testing::to_host(resumed.mlp().parameters());
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0);
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
  using Scalar = float;
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
  // Progress after each chunk: 500, 1000, 1500, 2000 of 2000.
  std::vector<std::size_t> heard;
  Matrix<Scalar> reported("reported", 2000, 2);
  CHECK(trainer.predict(points, reported, {}, [&](std::size_t done, std::size_t total) {
    CHECK(total == 2000);
    heard.push_back(done);
  }));
  CHECK(heard == std::vector<std::size_t>{500, 1000, 1500, 2000});
  CHECK(testing::to_host(reported) == testing::to_host(plain));
}

TEST_CASE("an epoch stops at the first batch whose loss is not finite", "[training][divergence]") {
  TrainConfig train;
  train.epochs = 3;
  train.batch_size = 500;
  train.adam.lr = 1e-3;
  // A NaN sample: the batch that holds it has a NaN loss (whatever the
  // field), so the epoch stops right after it and says where.
  SampleSet<float> samples = phantom_samples(6000, 1);
  const std::size_t poisoned = 4321;
  Kokkos::deep_copy(Kokkos::subview(samples.values, poisoned), std::numeric_limits<float>::quiet_NaN());
  FieldTrainer<float> trainer(small_field(), train, samples);
  const EpochResult result = trainer.run_epoch();
  CHECK(result.diverged);
  CHECK_FALSE(result.finished);
  CHECK(trainer.epochs_done() == 0);
  CHECK(result.diverged_lr == Approx(1e-3));
  // Epoch 1's permutation (seed, round 0) puts the sample at one position:
  // the epoch stopped right after that position's batch.
  const random::Permutation order(samples.size(), train.seed, 0);
  std::size_t at = 0;
  while (order(at) != poisoned) ++at;
  CHECK(result.position.next_batch == at / train.batch_size + 1);
  // Without the poisoned sample the same epoch runs through.
  FieldTrainer<float> clean(small_field(), train, phantom_samples(6000, 1));
  const EpochResult fine = clean.run_epoch();
  CHECK(fine.finished);
  CHECK_FALSE(fine.diverged);
}
