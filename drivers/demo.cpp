// `mcinr demo`: the engine end to end on data it makes itself. Two contrasts
// of an analytic phantom are sampled on two anisotropic grids (contrast 1
// keeps every k-th axial slice, contrast 2 every k-th coronal slice), one
// field is fitted to both, and both contrasts are scored on the isotropic
// grid against the known truth, beside linear interpolation of each scan.
#include "drivers/demo.hpp"

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "backends/device_info.hpp"
#include "core/phantom.hpp"
#include "core/trainer.hpp"
#include "drivers/options.hpp"
#include "io/metric_table.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {
namespace {

using Scalar = float;

struct DemoGrid {
  int n;       // voxels per axis of the isotropic grid
  int factor;  // slice thickness of the LR scans, in voxels
  double coordinate(int i) const { return -1.0 + (i + 0.5) * 2.0 / n; }
  // LR slice k sits at HR index k * factor + factor / 2.
  int slices() const { return n / factor; }
  int slice_index(int k) const { return k * factor + factor / 2; }
};

// Contrast 0 is thick along z (axial), contrast 1 along y (coronal).
SampleSet<Scalar> make_samples(const DemoGrid& g) {
  const std::size_t per_scan = std::size_t(g.n) * g.n * g.slices();
  SampleSet<Scalar> set;
  set.coords = Matrix<Scalar>("demo_coords", 3, 2 * per_scan);
  set.values = Vector<Scalar>("demo_values", 2 * per_scan);
  set.counts = {per_scan, per_scan};
  auto coords = Kokkos::create_mirror_view(set.coords);
  auto values = Kokkos::create_mirror_view(set.values);
  std::size_t s = 0;
  for (int contrast = 0; contrast < 2; ++contrast)
    for (int k = 0; k < g.slices(); ++k)
      for (int a = 0; a < g.n; ++a)
        for (int b = 0; b < g.n; ++b, ++s) {
          const double x = g.coordinate(b);
          const double y = contrast == 0 ? g.coordinate(a) : g.coordinate(g.slice_index(k));
          const double z = contrast == 0 ? g.coordinate(g.slice_index(k)) : g.coordinate(a);
          coords(0, s) = Scalar(x);
          coords(1, s) = Scalar(y);
          coords(2, s) = Scalar(z);
          values(s) = phantom::value<Scalar>(contrast, Scalar(x), Scalar(y), Scalar(z));
        }
  Kokkos::deep_copy(set.coords, coords);
  Kokkos::deep_copy(set.values, values);
  return set;
}

double psnr(double mse) { return 10.0 * std::log10(1.0 / mse); }

// Linear interpolation of the LR scan along its thick axis (nearest slice
// beyond the first and last), scored against the truth.
double linear_interpolation_psnr(const DemoGrid& g, int contrast) {
  double sse = 0;
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j)
      for (int l = 0; l < g.n; ++l) {
        const int thick = contrast == 0 ? l : j;  // index along the thick axis
        double pos = (thick - g.factor / 2) / double(g.factor);
        pos = std::min(std::max(pos, 0.0), double(g.slices() - 1));
        const int k0 = std::min(int(std::floor(pos)), g.slices() - 1), k1 = std::min(k0 + 1, g.slices() - 1);
        const double w = pos - k0;
        auto at = [&](int k) {
          const double t = g.coordinate(g.slice_index(k));
          return contrast == 0 ? phantom::value<double>(0, g.coordinate(i), g.coordinate(j), t)
                               : phantom::value<double>(1, g.coordinate(i), t, g.coordinate(l));
        };
        const double estimate = (1 - w) * at(k0) + w * at(k1);
        const double truth = phantom::value<double>(contrast, g.coordinate(i), g.coordinate(j), g.coordinate(l));
        sse += (estimate - truth) * (estimate - truth);
      }
  return psnr(sse / (double(g.n) * g.n * g.n));
}

struct FieldScore {
  double psnr[2];
};

FieldScore score_field(FieldTrainer<Scalar>& trainer, const DemoGrid& g) {
  const std::size_t voxels = std::size_t(g.n) * g.n * g.n;
  Matrix<Scalar> grid("demo_grid", 3, voxels);
  auto host = Kokkos::create_mirror_view(grid);
  std::size_t v = 0;
  for (int l = 0; l < g.n; ++l)
    for (int j = 0; j < g.n; ++j)
      for (int i = 0; i < g.n; ++i, ++v) {
        host(0, v) = Scalar(g.coordinate(i));
        host(1, v) = Scalar(g.coordinate(j));
        host(2, v) = Scalar(g.coordinate(l));
      }
  Kokkos::deep_copy(grid, host);
  Matrix<Scalar> out("demo_prediction", voxels, 2);
  trainer.predict(grid, out);
  auto pred = Kokkos::create_mirror_view(out);
  Kokkos::deep_copy(pred, out);
  FieldScore score{};
  for (int c = 0; c < 2; ++c) {
    double sse = 0;
    for (std::size_t k = 0; k < voxels; ++k) {
      const double truth = phantom::value<double>(c, host(0, k), host(1, k), host(2, k));
      const double e = double(pred(k, c)) - truth;
      sse += e * e;
    }
    score.psnr[c] = psnr(sse / double(voxels));
  }
  return score;
}

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  int grid_size = 48, factor = 4, eval_every = 5;
  std::string out_dir = "mcinr-demo";
  FieldConfig field;
  TrainConfig train;
  field.fourier_features = 64;
  field.fourier_scale = 0.5;  // the phantom is smooth; subject fits use the paper's 4
  field.mlp.hidden = 128;
  field.mlp.layers = 3;
  field.mlp.head_hidden = 64;
  train.epochs = 30;
  train.adam.lr = 2e-3;

  po::options_description options("mcinr demo: fit an analytic two-contrast phantom from two anisotropic scans");
  std::string model = "split-head";
  options.add_options()("help,h", "show this help")
      ("grid", po::value(&grid_size)->default_value(grid_size), "isotropic grid size (voxels per axis)")
      ("factor", po::value(&factor)->default_value(factor), "slice thickness of the LR scans, in voxels")
      ("out", po::value(&out_dir)->default_value(out_dir), "output folder (metrics.csv)")
      ("eval-every", po::value(&eval_every)->default_value(eval_every), "score the field every N epochs");
  add_training_options(options, field, train, model);
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  field.mlp.architecture = parse_architecture(model);
  require(grid_size >= 8 && grid_size <= 512, "--grid must be between 8 and 512");
  require(factor >= 1 && factor <= grid_size / 2, "--factor must be between 1 and grid/2");
  require(eval_every >= 1, "--eval-every must be at least 1");
  require(field.mlp.architecture == Architecture::split_head || field.mlp.architecture == Architecture::vanilla,
          "the demo fits two contrasts: --model split-head or vanilla");

  std::filesystem::create_directories(out_dir);
  const DemoGrid g{grid_size, factor};
  std::cout << "mcinr demo on " << backends::describe(backends::device_info()) << "\n"
            << "phantom " << g.n << "^3, contrast 1 axial and contrast 2 coronal with " << factor
            << "-voxel slices (" << g.slices() << " slices each)\n";
  FieldTrainer<Scalar> trainer(field, train, make_samples(g));
  std::cout << "model " << to_string(field.mlp.architecture) << ", " << trainer.mlp().parameter_count()
            << " parameters, " << trainer.batches_per_epoch() << " batches per epoch\n";

  io::MetricTable table({"epoch", "lr", "loss", "seconds", "samples_per_s", "psnr1", "psnr2"});
  FieldScore score{};
  for (int e = 0; e < train.epochs; ++e) {
    const EpochStats stats = trainer.train_epoch();
    const bool scored = stats.epoch % eval_every == 0 || stats.epoch == train.epochs;
    if (scored) score = score_field(trainer, g);
    table.add_row({double(stats.epoch), stats.lr, stats.loss, stats.seconds, stats.samples_per_second,
                   scored ? score.psnr[0] : NAN, scored ? score.psnr[1] : NAN});
    table.write(out_dir + "/metrics.csv");
    std::printf("epoch %3d/%d  lr %.2e  loss %.3e  %6.0f samples/s", stats.epoch, train.epochs, stats.lr, stats.loss,
                stats.samples_per_second);
    if (scored) std::printf("  PSNR %.2f / %.2f dB", score.psnr[0], score.psnr[1]);
    std::printf("\n");
    std::fflush(stdout);
  }
  const double linear[2] = {linear_interpolation_psnr(g, 0), linear_interpolation_psnr(g, 1)};
  std::printf("\n%-28s %12s %12s\n", "PSNR (dB) vs truth", "contrast 1", "contrast 2");
  std::printf("%-28s %12.2f %12.2f\n", "linear interpolation", linear[0], linear[1]);
  std::printf("%-28s %12.2f %12.2f\n", "mcinr field", score.psnr[0], score.psnr[1]);
  std::printf("metrics: %s/metrics.csv\n", out_dir.c_str());
  return 0;
}

}  // namespace mcinr::drivers
