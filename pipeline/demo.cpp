#include "mcinr/pipeline/demo.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "mcinr/core/phantom.hpp"
#include "mcinr/io/metric_table.hpp"
#include "mcinr/pipeline/errors.hpp"

#ifdef MCINR_HAVE_NIFTI
#include "mcinr/io/resample.hpp"
#include "mcinr/pipeline/prepare.hpp"
#include "mcinr/pipeline/subject_layout.hpp"
#include "mcinr/pipeline/volumes.hpp"
#endif

namespace fs = std::filesystem;

namespace mcinr::pipeline {

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
SampleSet<Scalar> demo_samples(const DemoGrid& g) {
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

double psnr_of_mse(double mse) { return 10.0 * std::log10(1.0 / mse); }

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
  return psnr_of_mse(sse / (double(g.n) * g.n * g.n));
}

std::array<double, 2> score_field(FieldTrainer<Scalar>& trainer, const DemoGrid& g) {
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
  auto pred = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  std::array<double, 2> psnr{};
  for (int c = 0; c < 2; ++c) {
    double sse = 0;
    for (std::size_t k = 0; k < voxels; ++k) {
      const double e = double(pred(k, c)) - phantom::value<double>(c, host(0, k), host(1, k), host(2, k));
      sse += e * e;
    }
    psnr[c] = psnr_of_mse(sse / double(voxels));
  }
  return psnr;
}

}  // namespace

EngineDemoConfig::EngineDemoConfig() {
  field.encoding.fourier_features = 64;
  field.encoding.fourier_scale = 0.5;  // the phantom is smooth; subject fits use the paper's 4
  field.mlp.hidden = 128;
  field.mlp.layers = 3;
  field.mlp.head_hidden = 64;
  train.epochs = 30;
  train.adam.lr = 2e-3;
}

void EngineDemoConfig::validate() const {
  require(grid >= 8 && grid <= 512, "--grid must be between 8 and 512");
  require(factor >= 1 && factor <= grid / 2, "--factor must be between 1 and grid/2");
  require(eval_every >= 1, "--eval-every must be at least 1");
  require(field.mlp.architecture == Architecture::split_head || field.mlp.architecture == Architecture::vanilla,
          "the demo fits two contrasts: --model split-head or vanilla");
  try {
    field.mlp.validate();
    field.encoding.validate();
    train.validate();
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
}

EngineDemoResult run_engine_demo(const EngineDemoConfig& config,
                                 const std::function<void(const EngineDemoResult&)>& on_start,
                                 const std::function<void(const EngineDemoEpoch&)>& on_epoch) {
  config.validate();
  fs::create_directories(config.out);
  const DemoGrid g{config.grid, config.factor};
  FieldTrainer<Scalar> trainer(config.field, config.train, demo_samples(g));
  EngineDemoResult result;
  result.parameters = trainer.field().parameter_count();
  result.batches_per_epoch = trainer.batches_per_epoch();
  result.metrics = (fs::path(config.out) / "metrics.csv").string();
  if (on_start) on_start(result);
  io::MetricTable table({"epoch", "lr", "loss", "seconds", "samples_per_s", "psnr1", "psnr2"});
  for (int e = 0; e < config.train.epochs; ++e) {
    EngineDemoEpoch epoch;
    epoch.stats = trainer.train_epoch();
    epoch.scored = epoch.stats.epoch % config.eval_every == 0 || epoch.stats.epoch == config.train.epochs;
    if (epoch.scored) epoch.psnr = result.field_psnr = score_field(trainer, g);
    table.add_row({double(epoch.stats.epoch), epoch.stats.lr, epoch.stats.loss, epoch.stats.seconds,
                   epoch.stats.samples_per_second, epoch.scored ? epoch.psnr[0] : NAN,
                   epoch.scored ? epoch.psnr[1] : NAN});
    table.write(result.metrics);
    if (on_epoch) on_epoch(epoch);
  }
  result.linear_psnr = {linear_interpolation_psnr(g, 0), linear_interpolation_psnr(g, 1)};
  return result;
}

#ifdef MCINR_HAVE_NIFTI

namespace {

// Phantom contrast c on an n^3 grid of 1 mm voxels centred on the origin,
// zero outside a ball (the background around a head), intensities ~0..1000.
io::Volume phantom_volume(int contrast, int n) {
  io::Volume v;
  v.geometry.size = {std::size_t(n), std::size_t(n), std::size_t(n)};
  const double half = n / 2.0;
  v.geometry.origin = {-half + 0.5, -half + 0.5, -half + 0.5};
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double x = (i + 0.5 - half) / half, y = (j + 0.5 - half) / half, z = (k + 0.5 - half) / half;
        const bool inside = x * x + y * y + z * z <= 0.8;
        v.voxels.push_back(inside ? float(1000.0 * phantom::value<double>(contrast, x, y, z)) : 0.0f);
      }
  return v;
}

std::array<VolumeScore, 2> score_files(const std::array<std::string, 2>& pred, const std::array<std::string, 2>& gt,
                                       const std::string& mask) {
  std::array<VolumeScore, 2> scores;
  for (int c = 0; c < 2; ++c) {
    const DeviceVolume p = load_volume(pred[c]), g = load_volume(gt[c]);
    require_same_grid(p.geometry, pred[c], g.geometry, gt[c]);
    scores[c] = score_volume(p, g, load_mask(mask, g.geometry));
  }
  return scores;
}

}  // namespace

void ImageDemoConfig::validate() const {
  require(size >= 16 && size <= 256 && size % 4 == 0, "--size must be a multiple of 4 between 16 and 256");
  require(epochs >= 1 && epochs <= 100000, "--epochs must be at least 1");
}

ImageDemoResult run_image_demo(const ImageDemoConfig& config, const std::function<void(const std::string&)>& announce,
                               FitObserver& fit_observer) {
  config.validate();
  const fs::path dir(config.out), hr_dir = dir / "hr", subject = dir / "subject", fit = dir / "fit";
  auto say = [&](const std::string& text) {
    if (announce) announce(text);
  };
  fs::create_directories(hr_dir);
  say("1. ground truth: analytic two-contrast phantom, " + std::to_string(config.size) + "^3 at 1 mm -> " +
      hr_dir.string());
  const std::string hr[2] = {(hr_dir / "phantom_c1.nii.gz").string(), (hr_dir / "phantom_c2.nii.gz").string()};
  for (int c = 0; c < 2; ++c) io::write_nifti(hr[c], phantom_volume(c, config.size));

  say("2. degrade: axial 1x1x4 mm scan of contrast 1, coronal 1x4x1 mm scan of contrast 2");
  PrepareRequest prepare;
  prepare.id = "demo";
  prepare.hr = {hr[0], hr[1]};
  prepare.contrast = {"c1", "c2"};
  prepare.out = subject.string();
  prepare.overwrite = true;  // the demo's own folder, made again on every run
  for (const auto& p : prepare_subject(prepare))
    say("   " + p.name + " " + std::to_string(p.hr.size[0]) + "x" + std::to_string(p.hr.size[1]) + "x" +
        std::to_string(p.hr.size[2]) + " -> " + p.view + " scan " + std::to_string(p.lr.size[0]) + "x" +
        std::to_string(p.lr.size[1]) + "x" + std::to_string(p.lr.size[2]));

  say("3. fit one field to both scans");
  fs::remove_all(fit);
  // Sizes for well under a second per epoch here; the phantom is smooth,
  // hence the low Fourier scale (docs/demo.md: scale 0.5 / 1 / 2 and 60
  // epochs were tried).
  FitConfig fit_config;
  fit_config.subject = subject.string();
  fit_config.contrasts = "c1,c2";
  fit_config.out = fit.string();
  fit_config.field.mlp.hidden = 128;
  fit_config.field.mlp.layers = 3;
  fit_config.field.mlp.head_hidden = 64;
  fit_config.field.encoding.fourier_features = 64;
  fit_config.field.encoding.fourier_scale = 1.0;
  fit_config.train.epochs = config.epochs;
  fit_config.train.adam.lr = 2e-3;
  fit_config.eval_every = 5;
  const FitOutcome fitted = fit_subject(fit_config, fit_observer);

  say("4. baseline (linear interpolation of each scan) and evaluate");
  const std::array<std::string, 2> gt = {(subject / SubjectNames::ground_truth("demo", "c1")).string(),
                                         (subject / SubjectNames::ground_truth("demo", "c2")).string()};
  const std::string mask = (subject / SubjectNames::brain_mask("demo")).string();
  const std::array<std::string, 2> linear = {(dir / "linear_c1.nii.gz").string(), (dir / "linear_c2.nii.gz").string()};
  for (int c = 0; c < 2; ++c) {
    const io::Volume lr = read_finite_volume((subject / SubjectNames::scan("demo", prepare.contrast[c])).string());
    io::write_nifti(linear[c], io::resample(lr, read_volume(gt[c]).geometry, 1));
  }
  ImageDemoResult result;
  result.linear = score_files(linear, gt, mask);
  result.field = score_files({fitted.written[0], fitted.written[1]}, gt, mask);  // the two volumes come first
  result.fit_folder = fit.string();
  return result;
}

#endif

}  // namespace mcinr::pipeline
