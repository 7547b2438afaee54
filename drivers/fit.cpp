// `mcinr fit`: fits one field to a subject's two low-resolution scans, scores
// it per epoch (MI between the predicted contrasts, and PSNR/SSIM/MI errors
// where ground truth is given), stops on MI if asked, and writes both
// contrasts on the output grid.
#include "drivers/fit.hpp"

#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <unistd.h>

#include "backends/device_info.hpp"
#include "core/early_stopping.hpp"
#include "core/metrics.hpp"
#include "drivers/options.hpp"
#include "drivers/stop_signal.hpp"
#include "drivers/subject.hpp"
#include "io/checkpoint.hpp"
#include "io/metric_table.hpp"
#include "io/nifti.hpp"
#include "io/resample.hpp"
#include "io/slice_picture.hpp"
#include "mcinr/version.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mcinr::drivers {
namespace {

struct FitOptions {
  std::string image[2], mask[2], gt[2], brain_mask, reference, out, subject, contrasts, config;
  double spacing = 0;
  double mask_margin = -1;  // < 0: every voxel is a sample
  bool early_stopping = false, resume = false;
  int eval_every = 1, checkpoint_every = 1;
  FieldConfig field;
  TrainConfig train;
  std::string model = "split-head";
};

// Predictions of one evaluation, min-max scaled to [0, 1] per contrast.
struct Evaluation {
  Kokkos::View<float*, MemSpace> pred[2];
  double mi_pred = NAN, psnr[2] = {NAN, NAN}, ssim[2] = {NAN, NAN}, mi_err[2] = {NAN, NAN};
};

std::map<std::string, double> settings_of(const FitOptions& o) {
  return {{"hidden", o.field.mlp.hidden},
          {"layers", o.field.mlp.layers},
          {"head_hidden", o.field.mlp.head_hidden},
          {"fourier_features", o.field.fourier_features},
          {"fourier_scale", o.field.fourier_scale},
          {"epochs", o.train.epochs},
          {"batch_size", double(o.train.batch_size)},
          {"lr", o.train.adam.lr},
          {"beta1", o.train.adam.beta1},
          {"beta2", o.train.adam.beta2},
          {"eps", o.train.adam.eps},
          {"mask_margin", o.mask_margin},
          {"eval_every", o.eval_every},
          {"early_stopping", o.early_stopping ? 1.0 : 0.0},
          {"skip_other_heads", o.train.skip_other_heads ? 1.0 : 0.0}};
}

template <class T>
std::vector<T> to_host_vector(const Kokkos::View<T*, MemSpace>& view) {
  std::vector<T> out(view.extent(0));
  Kokkos::deep_copy(Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(out.data(), out.size()), view);
  return out;
}

template <class T>
void from_host_vector(const Kokkos::View<T*, MemSpace>& view, const std::vector<T>& data, const std::string& what) {
  if (data.size() != view.extent(0)) throw UsageError("the checkpoint's " + what + " do not fit this model");
  Kokkos::deep_copy(view, Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(data.data(), data.size()));
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

// The defaults are the reference's (../shared/docs/method.md).
FitOptions default_fit_options() {
  FitOptions o;
  o.field.fourier_features = 256;
  o.field.fourier_scale = 4.0;
  o.field.mlp.hidden = 1024;
  o.field.mlp.layers = 4;
  o.field.mlp.head_hidden = 0;  // 0: hidden / 2, as the reference
  o.train.epochs = 50;
  o.train.batch_size = 1000;
  o.train.adam.lr = 4e-4;
  o.train.seed = 12;
  return o;
}

po::options_description fit_options(FitOptions& o) {
  po::options_description options("mcinr fit: fit one neural field to a subject's two low-resolution scans");
  options.add_options()("help,h", "show this help")
      ("config", po::value(&o.config), "INI file with any of these options (keys named like the long options; "
                                       "a [slurm] section is left to mcinr cohort)")
      ("subject", po::value(&o.subject), "subject folder in the reference's naming (with --contrasts)")
      ("contrasts", po::value(&o.contrasts), "two contrast names for --subject, e.g. t1c,t2f")
      ("image1", po::value(&o.image[0]), "low-resolution scan of contrast 1 (NIfTI)")
      ("image2", po::value(&o.image[1]), "low-resolution scan of contrast 2 (NIfTI)")
      ("mask1", po::value(&o.mask[0]), "mask of image1 (default: its nonzero voxels)")
      ("mask2", po::value(&o.mask[1]), "mask of image2 (default: its nonzero voxels)")
      ("reference", po::value(&o.reference), "output grid: this image's grid (default: gt1 where given)")
      ("spacing", po::value(&o.spacing), "output grid: isotropic spacing (mm) over both scans' extent")
      ("gt1", po::value(&o.gt[0]), "ground truth of contrast 1 on the output grid (optional)")
      ("gt2", po::value(&o.gt[1]), "ground truth of contrast 2 on the output grid (optional)")
      ("brain-mask", po::value(&o.brain_mask), "mask for the metrics on the output grid (optional)")
      ("out", po::value(&o.out), "output folder (required)")
      ("early-stopping", po::bool_switch(&o.early_stopping), "stop on the MI rule (needs --eval-every 1)")
      ("eval-every", po::value(&o.eval_every)->default_value(o.eval_every), "evaluate every N epochs")
      ("checkpoint-every", po::value(&o.checkpoint_every)->default_value(o.checkpoint_every),
       "write DIR/checkpoint.h5 every N epochs (and on SIGTERM/SIGUSR1, and at the end)")
      ("resume", po::bool_switch(&o.resume), "continue from DIR/checkpoint.h5 where it exists")
      ("mask-margin", po::value(&o.mask_margin)->default_value(o.mask_margin),
       "sample only voxels within this many mm of each scan's mask (default -1: every voxel, as the reference)");
  add_training_options(options, o.field, o.train, o.model);
  return options;
}

// Options from an INI file; keys of a [slurm] section belong to mcinr cohort
// and are skipped here, any other unknown key is an error.
void store_config_file(const std::string& path, const po::options_description& options, po::variables_map& vm) {
  std::ifstream ini(path);
  require(bool(ini), path + ": cannot read the config file");
  try {
    const po::parsed_options parsed = po::parse_config_file(ini, options, true);
    for (const auto& option : parsed.options)
      if (option.unregistered && option.string_key.rfind("slurm.", 0) != 0)
        throw UsageError(path + ": unrecognised option '" + option.string_key + "'");
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(path + ": " + e.what());
  }
}

}  // namespace

bool check_fit_config(const std::string& path) {
  FitOptions o = default_fit_options();
  const po::options_description options = fit_options(o);
  po::variables_map vm;
  store_config_file(path, options, vm);
  return o.spacing > 0 || !o.reference.empty();
}

int run_fit(const std::vector<std::string>& args, FitOutcome* outcome) {
  FitOptions o = default_fit_options();
  const po::options_description options = fit_options(o);
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  if (!o.config.empty()) store_config_file(o.config, options, vm);
  require(!o.out.empty(), "the option '--out' is required");
  o.field.mlp.architecture = parse_architecture(o.model);
  require(o.field.mlp.architecture != Architecture::single, "mcinr fit fits two contrasts: --model split-head or vanilla");
  if (o.field.mlp.head_hidden == 0) o.field.mlp.head_hidden = std::max(1, o.field.mlp.hidden / 2);
  require(o.eval_every >= 1, "--eval-every must be at least 1");
  require(o.checkpoint_every >= 1, "--checkpoint-every must be at least 1");
  require(!o.early_stopping || o.eval_every == 1, "--early-stopping needs --eval-every 1");

  if (!o.subject.empty()) {
    const auto comma = o.contrasts.find(',');
    require(comma != std::string::npos, "--subject needs --contrasts c1,c2");
    const SubjectFiles files = find_subject(o.subject, o.contrasts.substr(0, comma), o.contrasts.substr(comma + 1));
    for (int c = 0; c < 2; ++c) {
      if (o.image[c].empty()) o.image[c] = files.image[c];
      if (o.mask[c].empty()) o.mask[c] = files.mask[c];
      if (o.gt[c].empty()) o.gt[c] = files.gt[c];
    }
    if (o.brain_mask.empty()) o.brain_mask = files.brain_mask;
  }
  require(!o.image[0].empty() && !o.image[1].empty(), "give --image1 and --image2, or --subject and --contrasts");
  require(o.gt[0].empty() == o.gt[1].empty(), "give both --gt1 and --gt2, or neither");
  if (o.reference.empty() && o.spacing <= 0) o.reference = o.gt[0];
  require(!o.reference.empty() || o.spacing > 0, "give an output grid: --reference IMG or --spacing MM");

  // Inputs, checked before anything is written.
  Scan scans[2] = {load_scan(o.image[0], o.mask[0]), load_scan(o.image[1], o.mask[1])};
  require_overlap(scans[0], o.image[0], scans[1], o.image[1]);
  const FieldDomain domain = fit_domain(scans[0].volume.geometry, scans[1].volume.geometry);
  io::Geometry grid;
  if (!o.reference.empty())
    grid = read_host_volume(o.reference).geometry;
  else
    grid = union_grid(scans[0].volume.geometry, scans[1].volume.geometry, o.spacing);
  const bool with_gt = !o.gt[0].empty();
  DeviceVolume gt[2];
  Kokkos::View<std::uint8_t*, MemSpace> brain;
  if (with_gt) {
    for (int c = 0; c < 2; ++c) {
      gt[c] = load_volume(o.gt[c]);
      require_same_grid(gt[c].geometry, o.gt[c], grid, "the output grid");
    }
  }
  if (!o.brain_mask.empty()) brain = load_mask(o.brain_mask, grid);

  try {
    fs::create_directories(o.out);
  } catch (const fs::filesystem_error& e) {
    throw UsageError(o.out + ": cannot create the output folder (" + e.code().message() + ")");
  }
  require(::access(o.out.c_str(), W_OK) == 0, o.out + ": the output folder is not writable");

  const std::string checkpoint_path = (fs::path(o.out) / "checkpoint.h5").string();
  io::Checkpoint resumed;
  const bool resuming = o.resume && fs::exists(checkpoint_path);
  if (resuming) {
    try {
      resumed = io::read_checkpoint(checkpoint_path);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    const auto wanted = settings_of(o);
    for (const auto& [name, value] : wanted) {
      const auto found = resumed.settings.find(name);
      require(found != resumed.settings.end() && found->second == value,
              checkpoint_path + ": it was written with another " + name + " (" +
                  (found == resumed.settings.end() ? std::string("none") : std::to_string(found->second)) +
                  ", now " + std::to_string(value) + ")");
    }
    require(resumed.model == to_string(o.field.mlp.architecture) && resumed.seed == o.train.seed,
            checkpoint_path + ": it was written with another model or seed");
  } else {
    require(!fs::exists(checkpoint_path),
            checkpoint_path + " exists: continue it with --resume, or choose another --out");
  }

  SampleSet<float> samples = make_samples(scans, domain, o.mask_margin);
  const std::size_t sample_count = samples.size();
  FieldTrainer<float> trainer(o.field, o.train, std::move(samples));
  if (resuming) {
    from_host_vector(trainer.mlp().parameters(), resumed.parameters, "parameters");
    from_host_vector(trainer.optimizer().first_moment(), resumed.adam_m, "Adam moments");
    from_host_vector(trainer.optimizer().second_moment(), resumed.adam_v, "Adam moments");
    trainer.optimizer().set_steps(resumed.adam_steps);
    trainer.set_epochs_done(resumed.epochs_done);
    const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), trainer.encoding().matrix());
    require(resumed.fourier_matrix.size() == b.size(), checkpoint_path + ": its Fourier matrix does not fit");
    for (std::size_t f = 0; f < b.extent(0); ++f)
      for (int d = 0; d < 3; ++d)
        require(float(resumed.fourier_matrix[3 * f + d]) == b(f, d), checkpoint_path + ": its Fourier matrix differs");
    require(resumed.domain_lo == domain.lo && resumed.domain_hi == domain.hi,
            checkpoint_path + ": it was fitted to other inputs (coordinate range differs)");
  }
  const Matrix<float> query = grid_coordinates(grid, domain);
  const GridShape shape{grid.size[0], grid.size[1], grid.size[2]};

  std::cout << "mcinr fit on " << backends::describe(backends::device_info()) << "\n"
            << "  " << o.image[0] << " (" << trainer.train_config().batch_size << "-sample batches)\n  " << o.image[1]
            << "\n  " << sample_count << " samples, " << trainer.mlp().parameter_count() << " parameters ("
            << to_string(o.field.mlp.architecture) << " " << o.field.mlp.hidden << "x" << o.field.mlp.layers
            << ", heads " << o.field.mlp.head_hidden << ", FF " << o.field.fourier_features << " x "
            << o.field.fourier_scale << "), output grid " << grid.size[0] << "x" << grid.size[1] << "x"
            << grid.size[2] << "\n";

  double mi_gt = NAN;
  VolumeD gt_unit[2];  // ground truth in the reference's metric normalisation, made once
  if (with_gt) {
    mi_gt = mutual_information(gt[0].values, gt[1].values, brain);
    for (int c = 0; c < 2; ++c) gt_unit[c] = reference_normalize(gt[c].values, brain);
  }

  // With ground truth, score classical interpolation of each scan once, so the
  // fit can be judged against it (linear and cubic B-spline, ITK).
  struct BaselineScore {
    const char* name;
    double psnr[2], ssim[2], mi;
  };
  std::vector<BaselineScore> baselines;
  if (with_gt) {
    for (const auto& [name, order] : {std::pair<const char*, int>{"linear", 1}, {"bspline", 3}}) {
      BaselineScore score{name, {}, {}, 0};
      Kokkos::View<float*, MemSpace> interpolated[2];
      for (int c = 0; c < 2; ++c) {
        const io::Volume lr = to_host_volume(scans[c].volume.geometry, scans[c].volume.values);
        interpolated[c] = to_device(io::resample(lr, grid, order).voxels);
        const VolumeD unit = reference_normalize(interpolated[c], brain);
        score.psnr[c] = psnr(unit, gt_unit[c]);
        score.ssim[c] = ssim(unit, gt_unit[c], shape);
      }
      score.mi = mutual_information(interpolated[0], interpolated[1], brain);
      std::printf("%-8s interpolation: PSNR %.2f / %.2f  SSIM %.4f / %.4f  MI %.4f\n", name, score.psnr[0],
                  score.psnr[1], score.ssim[0], score.ssim[1], score.mi);
      baselines.push_back(score);
    }
  }

  std::vector<std::string> columns = {"epoch", "lr", "loss", "seconds", "samples_per_s", "mi_pred"};
  if (with_gt)
    for (const char* name : {"psnr1", "ssim1", "psnr2", "ssim2", "mi_gt", "mi_err1", "mi_err2"}) columns.push_back(name);
  io::MetricTable table(columns);
  MiEarlyStopping stopping;
  std::string stop_reason = "epochs";
  // The outcome for in-process callers: the last scored row of the table.
  auto report_outcome = [&](int epochs_done, const std::string& reason, double seconds) {
    if (!outcome) return;
    outcome->epochs_done = epochs_done;
    outcome->stop_reason = reason;
    outcome->seconds = seconds;
    outcome->final_metrics.clear();
    for (std::size_t r = table.rows(); r-- > 0;) {
      const auto& row = table.row(r);
      if (std::isnan(row[5])) continue;
      for (std::size_t i = 5; i < columns.size(); ++i) outcome->final_metrics[columns[i]] = row[i];
      break;
    }
    outcome->baselines.clear();
    for (const auto& b : baselines)
      outcome->baselines[b.name] = {{"psnr1", b.psnr[0]}, {"ssim1", b.ssim[0]}, {"psnr2", b.psnr[1]},
                                    {"ssim2", b.ssim[1]}, {"mi_pred", b.mi}};
  };
  if (resuming) {
    require(resumed.metric_columns == columns, checkpoint_path + ": its metric table has other columns");
    for (const auto& row : resumed.metric_rows) table.add_row(row);
    stopping.restore({resumed.mi_window.begin(), resumed.mi_window.end()}, resumed.mi_previous,
                     resumed.mi_has_previous);
    if (!resumed.stop_reason.empty()) {
      std::printf("%s: this fit is complete (%d epochs, stopped by %s); nothing to do\n", checkpoint_path.c_str(),
                  resumed.epochs_done, resumed.stop_reason.c_str());
      report_outcome(resumed.epochs_done, resumed.stop_reason, 0);
      return 0;
    }
    std::printf("resuming %s: %d epochs done%s\n", checkpoint_path.c_str(), resumed.epochs_done,
                resumed.next_batch ? (", inside epoch " + std::to_string(resumed.epochs_done + 1) + " at batch " +
                                      std::to_string(resumed.next_batch)).c_str()
                                   : "");
  }
  auto save_checkpoint = [&](std::uint64_t next_batch, double loss_sum, const std::string& reason) {
    io::Checkpoint c;
    c.model = to_string(o.field.mlp.architecture);
    c.settings = settings_of(o);
    c.inputs = {o.image[0], o.image[1]};
    c.seed = o.train.seed;
    c.epochs_done = trainer.epochs_done();
    c.next_batch = next_batch;
    c.epoch_loss_sum = loss_sum;
    c.adam_steps = trainer.optimizer().steps();
    c.parameters = to_host_vector(trainer.mlp().parameters());
    c.adam_m = to_host_vector(trainer.optimizer().first_moment());
    c.adam_v = to_host_vector(trainer.optimizer().second_moment());
    const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), trainer.encoding().matrix());
    for (std::size_t f = 0; f < b.extent(0); ++f)
      for (int d = 0; d < 3; ++d) c.fourier_matrix.push_back(b(f, d));
    c.domain_lo = domain.lo;
    c.domain_hi = domain.hi;
    c.intensity_lo = {scans[0].lo, scans[1].lo};
    c.intensity_hi = {scans[0].hi, scans[1].hi};
    c.grid = grid;
    c.mi_window.assign(stopping.window().begin(), stopping.window().end());
    c.mi_previous = stopping.previous();
    c.mi_has_previous = stopping.has_previous();
    c.stop_reason = reason;
    c.metric_columns = table.columns();
    for (std::size_t r = 0; r < table.rows(); ++r) c.metric_rows.push_back(table.row(r));
    io::write_checkpoint(checkpoint_path, c);
  };
  catch_stop_signals();
  const auto started = std::chrono::steady_clock::now();
  Evaluation last;
  Matrix<float> prediction("prediction", grid.voxels(), 2);

  // One evaluation into ev; false where a stop signal came first. An
  // evaluation of a large grid takes long on CPUs (80 s for BraTS), longer
  // than Slurm's grace before SIGKILL, so it gives up between its stages.
  const StopRequested stop_requested = [] { return stop_signal() != 0; };
  auto evaluate = [&](Evaluation& ev) {
    if (!trainer.predict(query, prediction, stop_requested)) return false;
    for (int c = 0; c < 2; ++c) ev.pred[c] = unit_scaled(prediction, c);
    ev.mi_pred = mutual_information(ev.pred[0], ev.pred[1], brain);
    if (with_gt) {
      for (int c = 0; c < 2; ++c) {
        if (stop_requested()) return false;
        const VolumeD unit = reference_normalize(ev.pred[c], brain);
        ev.psnr[c] = psnr(unit, gt_unit[c]);
        ev.ssim[c] = ssim(unit, gt_unit[c], shape);
      }
      if (stop_requested()) return false;
      ev.mi_err[0] = std::abs(mutual_information(ev.pred[0], gt[1].values, brain) - mi_gt);
      ev.mi_err[1] = std::abs(mutual_information(ev.pred[1], gt[0].values, brain) - mi_gt);
    }
    return true;
  };
  // A stop signal: checkpoint where training stands (inside epoch
  // epochs_done + 1 at next_batch; next_batch == batches: trained, its
  // evaluation still to do) and exit with status 75.
  auto interrupted = [&](std::size_t next_batch, double loss_sum, const std::string& where) {
    Kokkos::fence();
    save_checkpoint(next_batch, loss_sum, "");
    std::printf("signal %d %s: checkpointed to %s; exiting (status %d)\n", stop_signal(), where.c_str(),
                checkpoint_path.c_str(), exit_interrupted);
    std::fflush(stdout);
    report_outcome(trainer.epochs_done(), "",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (outcome) outcome->next_batch = next_batch;
    return exit_interrupted;
  };

  const int epochs = o.train.epochs;
  const std::size_t batches = trainer.batches_per_epoch();
  for (int e = trainer.epochs_done(); e < epochs; ++e) {
    Kokkos::Timer timer;
    const double lr = cosine_learning_rate(o.train.adam.lr, e, epochs);
    double loss_sum = 0;
    std::size_t start = 0;
    if (resuming && e == resumed.epochs_done && resumed.next_batch > 0) {
      start = resumed.next_batch;
      loss_sum = resumed.epoch_loss_sum;
    }
    std::size_t next_report = batches / 10;
    while (next_report > 0 && next_report <= start) next_report += batches / 10;
    for (std::size_t b = start; b < batches; ++b) {
      const std::size_t first = b * o.train.batch_size;
      loss_sum += trainer.train_step(first, std::min(o.train.batch_size, sample_count - first), lr);
      if (stop_signal())
        return interrupted(b + 1, loss_sum,
                           "in epoch " + std::to_string(e + 1) + " at batch " + std::to_string(b + 1) + "/" +
                               std::to_string(batches));
      if (b + 1 == next_report && b + 1 < batches) {
        const double elapsed = timer.seconds();
        const double rate = double(first + o.train.batch_size) / elapsed;
        const double eta = double(sample_count) * (epochs - e) / rate - elapsed;
        std::printf("  epoch %d/%d  step %zu/%zu  loss %.4e  %.0f samples/s  ETA %.0f s\n", e + 1, epochs, b + 1,
                    batches, loss_sum / double(b + 1), rate, eta);
        std::fflush(stdout);
        next_report += batches / 10;
      }
    }
    Kokkos::fence();
    trainer.set_epochs_done(e + 1);
    const double seconds = timer.seconds();
    const double loss = loss_sum / double(batches);
    const bool scored = (e + 1) % o.eval_every == 0 || e + 1 == epochs;
    std::vector<double> row = {double(e + 1), lr, loss, seconds, double(sample_count) / seconds, NAN};
    if (with_gt) row.insert(row.end(), 7, NAN);
    bool stop = false;
    if (scored) {
      Evaluation ev;
      if (stop_signal() || !evaluate(ev)) {
        trainer.set_epochs_done(e);
        return interrupted(batches, loss_sum, "at the evaluation of epoch " + std::to_string(e + 1));
      }
      last = ev;
      row[5] = last.mi_pred;
      if (with_gt) {
        row[6] = last.psnr[0];
        row[7] = last.ssim[0];
        row[8] = last.psnr[1];
        row[9] = last.ssim[1];
        row[10] = mi_gt;
        row[11] = last.mi_err[0];
        row[12] = last.mi_err[1];
      }
      if (o.early_stopping && stopping.update(last.mi_pred)) {
        stop = true;
        stop_reason = "mi";
      }
    }
    table.add_row(row);
    table.write((fs::path(o.out) / "metrics.csv").string());
    std::printf("epoch %d/%d  lr %.2e  loss %.4e  %.1f s  %.0f samples/s", e + 1, epochs, lr, loss, seconds,
                double(sample_count) / seconds);
    if (scored) std::printf("  MI %.4f", last.mi_pred);
    if (scored && with_gt)
      std::printf("  PSNR %.2f / %.2f  SSIM %.4f / %.4f", last.psnr[0], last.psnr[1], last.ssim[0], last.ssim[1]);
    std::printf("\n");
    std::fflush(stdout);
    if (stop) {
      std::printf("early stopping: MI(pred1, pred2) settled after epoch %d\n", e + 1);
      break;
    }
    if ((e + 1) % o.checkpoint_every == 0 && e + 1 < epochs) save_checkpoint(0, 0, "");
  }
  const double total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  save_checkpoint(0, 0, stop_reason);
  for (int c = 0; c < 2; ++c)
    write_scaled_volume((fs::path(o.out) / ("contrast" + std::to_string(c + 1) + ".nii.gz")).string(), grid, last.pred[c],
                 scans[c].lo, scans[c].hi);

  {
    // Mid-slices: prediction beside ground truth where given.
    std::vector<io::Volume> volumes;
    for (int c = 0; c < 2; ++c) {
      volumes.push_back(to_host_volume(grid, last.pred[c]));
      if (with_gt) volumes.push_back(to_host_volume(grid, gt[c].values));
    }
    std::vector<const io::Volume*> columns;
    for (const auto& v : volumes) columns.push_back(&v);
    io::write_mid_slices((fs::path(o.out) / "slices.png").string(), columns);
  }

  std::ostringstream json;
  json.precision(10);
  json << "{\n  \"version\": \"" << MCINR_VERSION_STRING << "\",\n  \"git\": \"" << MCINR_GIT_HASH << "\",\n"
       << "  \"backend\": \"" << json_escape(backends::describe(backends::device_info())) << "\",\n"
       << "  \"inputs\": [\"" << json_escape(o.image[0]) << "\", \"" << json_escape(o.image[1]) << "\"],\n"
       << "  \"epochs_done\": " << trainer.epochs_done() << ",\n  \"stop_reason\": \"" << stop_reason << "\",\n"
       << "  \"seconds\": " << total_seconds << ",\n  \"samples\": " << sample_count << ",\n"
       << "  \"config\": {\"model\": \"" << to_string(o.field.mlp.architecture) << "\", \"hidden\": "
       << o.field.mlp.hidden << ", \"layers\": " << o.field.mlp.layers << ", \"head_hidden\": "
       << o.field.mlp.head_hidden << ", \"fourier_features\": " << o.field.fourier_features
       << ", \"fourier_scale\": " << o.field.fourier_scale << ", \"epochs\": " << epochs
       << ", \"batch_size\": " << o.train.batch_size << ", \"lr\": " << o.train.adam.lr << ", \"seed\": "
       << o.train.seed << ", \"mask_margin\": " << o.mask_margin << "},\n"
       << "  \"final\": {\"mi_pred\": " << last.mi_pred;
  if (with_gt)
    json << ", \"psnr1\": " << last.psnr[0] << ", \"ssim1\": " << last.ssim[0] << ", \"psnr2\": " << last.psnr[1]
         << ", \"ssim2\": " << last.ssim[1] << ", \"mi_gt\": " << mi_gt << ", \"mi_err1\": " << last.mi_err[0]
         << ", \"mi_err2\": " << last.mi_err[1];
  json << "}";
  if (!baselines.empty()) {
    json << ",\n  \"baselines\": {";
    for (std::size_t i = 0; i < baselines.size(); ++i) {
      const auto& b = baselines[i];
      json << (i ? ", " : "") << "\"" << b.name << "\": {\"psnr1\": " << b.psnr[0] << ", \"ssim1\": " << b.ssim[0]
           << ", \"psnr2\": " << b.psnr[1] << ", \"ssim2\": " << b.ssim[1] << ", \"mi_pred\": " << b.mi << "}";
    }
    json << "}";
  }
  json << "\n}\n";
  if (with_gt) {
    std::printf("\n%-24s %9s %9s %9s %9s\n", "", "PSNR c1", "SSIM c1", "PSNR c2", "SSIM c2");
    for (const auto& b : baselines)
      std::printf("%-24s %9.2f %9.4f %9.2f %9.4f\n", (std::string(b.name) + " interpolation").c_str(), b.psnr[0],
                  b.ssim[0], b.psnr[1], b.ssim[1]);
    std::printf("%-24s %9.2f %9.4f %9.2f %9.4f\n", "mcinr field", last.psnr[0], last.ssim[0], last.psnr[1],
                last.ssim[1]);
  }
  io::write_file_atomically((fs::path(o.out) / "summary.json").string(), json.str());
  report_outcome(trainer.epochs_done(), stop_reason, total_seconds);
  std::printf("wrote %s/contrast1.nii.gz, contrast2.nii.gz, metrics.csv, summary.json, checkpoint.h5, slices.png (%.1f s)\n", o.out.c_str(),
              total_seconds);
  return 0;
}

}  // namespace mcinr::drivers
