// mcinr-bench: throughput of a full training step (batch gather, Fourier
// encoding, forward, loss, backward, Adam) and of prediction (Field::predict,
// what evaluation and the written volumes cost) against the sgemm rate of the
// same GEMM provider, measured in the same run. Machine-readable lines per size:
//   bench <size> samples_per_s=.. step_gflops=.. sgemm_gflops=.. ratio=.. ... fast_encoding_samples_per_s=..
//     fast_encoding_speedup=..   (the same step with TrainConfig::fast_encoding, alternated with it)
//   predict <size> points_per_s=.. gflops=.. encode_share=.. training_encode_share=.. sgemm_gflops=.. ratio=..
// The GFLOP/s count the matrix products really performed (head skipping
// included; bias reductions and elementwise work not counted); encode_share is
// the prediction's Fourier encoding's time against a prediction's,
// training_encode_share the training encoding's (exact sines) against it.
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/backends/gemm.hpp"
#include "mcinr/core/random.hpp"
#include "mcinr/core/trainer.hpp"
#include "mcinr/version.hpp"

namespace po = boost::program_options;
using Scalar = float;

namespace {

struct Size {
  std::string name;
  int hidden, layers, fourier, head;
};

mcinr::SampleSet<Scalar> random_samples(std::size_t count) {
  mcinr::SampleSet<Scalar> set;
  set.coords = mcinr::Matrix<Scalar>("bench_coords", 3, count);
  set.values = mcinr::Vector<Scalar>("bench_values", count);
  set.counts = {count / 2, count - count / 2};
  const auto coords = set.coords;
  const auto values = set.values;
  const std::uint64_t stream = static_cast<std::uint64_t>(mcinr::random::Stream::test_data);
  Kokkos::parallel_for(
      "bench_samples", Kokkos::RangePolicy<mcinr::ExecSpace>(0, count), KOKKOS_LAMBDA(const std::size_t s) {
        for (int d = 0; d < 3; ++d) coords(d, s) = Scalar(2 * mcinr::random::uniform(7, stream, 4 * s + d) - 1);
        values(s) = Scalar(mcinr::random::uniform(7, stream, 4 * s + 3));
      });
  return set;
}

// C (m x n) = A (m x k) B (k x n) through backends::gemm; GFLOP/s.
double sgemm_rate(int m, int n, int k, double min_seconds) {
  mcinr::Matrix<Scalar> a("a", m, k), b("b", k, n), c("c", m, n);
  Kokkos::deep_copy(a, Scalar(0.5));
  Kokkos::deep_copy(b, Scalar(0.25));
  const mcinr::backends::GemmProvider gemm;
  gemm.gemm('N', 'N', 1.0f, a, b, 0.0f, c);  // warm-up
  Kokkos::fence();
  Kokkos::Timer timer;
  int reps = 0;
  do {
    gemm.gemm('N', 'N', 1.0f, a, b, 0.0f, c);
    Kokkos::fence();
    ++reps;
  } while (timer.seconds() < min_seconds);
  return 2.0 * m * n * k * reps / timer.seconds() / 1e9;
}

mcinr::FieldConfig field_config(const Size& size) {
  mcinr::FieldConfig field;
  field.encoding.fourier_features = size.fourier;
  field.encoding.fourier_scale = 4.0;
  field.mlp.hidden = size.hidden;
  field.mlp.layers = size.layers;
  field.mlp.head_hidden = size.head;
  return field;
}

void run(const Size& size, std::size_t batch, int steps, int rounds, double min_seconds) {
  const mcinr::FieldConfig field = field_config(size);
  mcinr::TrainConfig train;
  train.batch_size = batch;
  train.epochs = 1000;  // the schedule barely moves; the rate does not depend on it
  const std::size_t samples = batch * steps;
  mcinr::FieldTrainer<Scalar> trainer(field, train, random_samples(samples));
  trainer.train_step(0, batch, train.adam.lr);  // warm-up (first touch, BLAS buffers)
  train.fast_encoding = true;  // the same step as `mcinr fit --fast-encoding` trains it
  mcinr::FieldTrainer<Scalar> fast(field, train, random_samples(samples));
  fast.train_step(0, batch, train.adam.lr);
  Kokkos::fence();
  // An epoch visits every sample once, so its head FLOPs follow the sample counts exactly.
  const auto split = mcinr::BatchSplit::counts({samples / 2, samples - samples / 2});
  const double flops = trainer.mlp().flops(split, train.skip_other_heads, false).total();
  // Rounds alternate the three measurements (exact step, fast-encoding step,
  // sgemm) so that all see the same machine state; each keeps its best round.
  double best_step = 0, best_sgemm = 0, best_samples = 0, best_fast = 0;
  for (int r = 0; r < rounds; ++r) {
    const mcinr::EpochStats stats = trainer.train_epoch();
    best_step = std::max(best_step, flops / stats.seconds / 1e9);
    best_samples = std::max(best_samples, stats.samples_per_second);
    best_fast = std::max(best_fast, fast.train_epoch().samples_per_second);
    best_sgemm = std::max(best_sgemm, sgemm_rate(size.hidden, int(batch), size.hidden, min_seconds));
  }
  std::printf(
      "bench %s samples_per_s=%.0f step_gflops=%.1f sgemm_gflops=%.1f ratio=%.3f "
      "hidden=%d layers=%d fourier=%d head=%d batch=%zu steps=%d rounds=%d params=%zu "
      "fast_encoding_samples_per_s=%.0f fast_encoding_speedup=%.3f\n",
      size.name.c_str(), best_samples, best_step, best_sgemm, best_step / best_sgemm, size.hidden, size.layers,
      size.fourier, size.head, batch, steps, rounds, trainer.mlp().parameter_count(), best_fast,
      best_fast / best_samples);
  std::fflush(stdout);
}

// Field::predict over `points` random coordinates: its rate, the encoding's
// share of it, and sgemm at the trunk's shape for a prediction chunk.
void run_predict(const Size& size, std::size_t batch, std::size_t points, int rounds, double min_seconds) {
  const mcinr::FieldConfig field = field_config(size);
  mcinr::TrainConfig train;
  train.batch_size = batch;
  mcinr::FieldTrainer<Scalar> trainer(field, train, random_samples(2 * batch));
  const mcinr::SampleSet<Scalar> at = random_samples(points);
  mcinr::Matrix<Scalar> out("bench_predictions", points, trainer.field().contrasts());
  mcinr::Matrix<Scalar> encoded("bench_encoded", trainer.encoding().output_dim(), points);
  const std::size_t chunk = trainer.field().predict_chunk();
  const double flops = trainer.mlp().flops(mcinr::BatchSplit::whole(points, 2), false, false).forward;
  trainer.predict(at.coords, out);  // warm-up
  double best_predict = 0, best_encode = 1e300, best_exact = 1e300, best_sgemm = 0;
  for (int r = 0; r < rounds; ++r) {
    Kokkos::Timer timer;
    trainer.predict(at.coords, out);
    best_predict = std::max(best_predict, points / timer.seconds());
    timer.reset();
    trainer.encoding().encode_fast(at.coords, encoded);
    Kokkos::fence();
    best_encode = std::min(best_encode, timer.seconds());
    timer.reset();
    trainer.encoding().encode(at.coords, encoded);
    Kokkos::fence();
    best_exact = std::min(best_exact, timer.seconds());
    best_sgemm = std::max(best_sgemm, sgemm_rate(size.hidden, int(chunk), size.hidden, min_seconds));
  }
  const double gflops = flops / (points / best_predict) / 1e9;
  std::printf(
      "predict %s points_per_s=%.0f gflops=%.1f encode_share=%.3f training_encode_share=%.3f sgemm_gflops=%.1f "
      "ratio=%.3f chunk=%zu points=%zu rounds=%d\n",
      size.name.c_str(), best_predict, gflops, best_encode * best_predict / points, best_exact * best_predict / points,
      best_sgemm, gflops / best_sgemm, chunk, points, rounds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char* argv[]) {
  mcinr::backends::flush_subnormals();
  Kokkos::ScopeGuard kokkos(argc, argv);
  if (const std::string warning = mcinr::backends::prepare_host_blas(); !warning.empty()) std::cerr << warning << '\n';
  std::string sizes = "paper,cpu";
  int steps = 20, rounds = 3;
  std::size_t batch = 1000, predict_points = 500000;
  double min_seconds = 1.0;
  po::options_description options("mcinr-bench: training-step throughput against sgemm");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("sizes", po::value(&sizes)->default_value(sizes), "comma-separated: paper (1024x4, FF 256, heads 512), cpu (256x4, FF 128, heads 128)")
      ("steps", po::value(&steps)->default_value(steps), "training steps per timed round")
      ("rounds", po::value(&rounds)->default_value(rounds), "timed rounds per size (best one kept)")
      ("batch", po::value(&batch)->default_value(batch), "batch size")
      ("predict-points", po::value(&predict_points)->default_value(predict_points), "points per timed prediction (0: no prediction bench)")
      ("sgemm-seconds", po::value(&min_seconds)->default_value(min_seconds), "minimum time of each sgemm measurement");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).allow_unregistered().run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mcinr-bench: error: " << e.what() << '\n';
    return 2;
  }
  if (vm.count("help")) {
    std::cout << options << '\n';
    return 0;
  }
  if (steps < 1 || rounds < 1 || batch < 2) {
    std::cerr << "mcinr-bench: error: --steps and --rounds must be >= 1 and --batch >= 2\n";
    return 2;
  }
  std::printf("# mcinr %s (%s); %s\n", MCINR_VERSION_STRING, MCINR_GIT_HASH,
              mcinr::backends::describe(mcinr::backends::device_info()).c_str());
  std::stringstream list(sizes);
  std::string name;
  while (std::getline(list, name, ',')) {
    Size size;
    if (name == "paper")
      size = {"paper", 1024, 4, 256, 512};
    else if (name == "cpu")
      size = {"cpu", 256, 4, 128, 128};
    else {
      std::cerr << "mcinr-bench: error: unknown size '" << name << "' (expected paper or cpu)\n";
      return 2;
    }
    run(size, batch, steps, rounds, min_seconds);
    if (predict_points > 0) run_predict(size, batch, predict_points, rounds, min_seconds);
  }
  return 0;
}
