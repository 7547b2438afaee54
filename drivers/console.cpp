#include "mcinr/drivers/console.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/stop_signal.hpp"

namespace mcinr::drivers {

std::string duration_text(double seconds) {
  char text[48];
  const long s = long(std::lround(std::max(0.0, seconds)));
  if (s < 60)
    std::snprintf(text, sizeof text, "%ld s", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  return text;
}

bool progress_in_place() {
  static const bool tty = ::isatty(STDOUT_FILENO) == 1;
  return tty;
}

namespace {

// A bar of `width` cells, `share` (0..1) of them full.
std::string bar(double share, int width = 24) {
  const int full = int(std::clamp(share, 0.0, 1.0) * width + 0.5);
  return "[" + std::string(std::size_t(full), '#') + std::string(std::size_t(width - full), '.') + "]";
}

}  // namespace

void ConsoleFitObserver::planned(const pipeline::FitPlan& p) {
  std::printf("mcinr fit on %s\n", p.backend.c_str());
  for (int i = 0; i < 2; ++i)
    std::printf("  scan %d %s: %s\n", i + 1, p.images[i].c_str(), p.scan_grids[i].summary().c_str());
  std::printf("  %zu samples in %zu-sample batches, %zu parameters (%s)\n  output grid %s\n", p.samples, p.batch_size,
              p.parameters, p.model.c_str(), p.grid.summary().c_str());
  for (const auto& note : p.notes) std::printf("  %s\n", note.c_str());
  if (p.epoch_seconds_estimate > 0)
    std::printf("  estimated: about %s per epoch, %s for the final prediction of %.3g M voxels\n",
                duration_text(p.epoch_seconds_estimate).c_str(), duration_text(p.prediction_seconds_estimate).c_str(),
                double(p.predicted_voxels) / 1e6);
  std::fflush(stdout);
  for (const auto& w : p.warnings) std::fprintf(stderr, "mcinr: warning: %s\n", w.c_str());
}

void ConsoleFitObserver::baseline(const std::string& method, const pipeline::Scores& s) {
  std::printf("%-8s interpolation: PSNR %.2f / %.2f  SSIM %.4f / %.4f  MI %.4f\n", method.c_str(), s.psnr[0], s.psnr[1],
              s.ssim[0], s.ssim[1], s.mi_pred);
  std::fflush(stdout);
}

void ConsoleFitObserver::resumed(const pipeline::ResumePoint& p) {
  std::printf("resuming %s: %d epochs done%s\n", p.checkpoint.c_str(), p.epochs_done,
              p.next_batch ? (", inside epoch " + std::to_string(p.epochs_done + 1) + " at batch " +
                              std::to_string(p.next_batch))
                                 .c_str()
                           : "");
  std::fflush(stdout);
}

void ConsoleFitObserver::training(const BatchProgress& p, double eta) {
  if (progress_in_place()) {
    // At most 5 redraws a second, and the epoch's last batch.
    if (p.seconds - drawn_at_ < 0.2 && p.batch < p.batches && drawn_at_ >= 0 && p.seconds >= drawn_at_) return;
    drawn_at_ = p.seconds;
    std::printf("\r\033[K  epoch %d/%d %s %3d%%  loss %.4e  %.0f samples/s  ETA %s", p.epoch, p.epochs,
                bar(double(p.batch) / double(std::max<std::size_t>(1, p.batches))).c_str(),
                int(100 * p.batch / std::max<std::size_t>(1, p.batches)), p.mean_loss,
                p.seconds > 0 ? double(p.samples) / p.seconds : 0.0, duration_text(eta).c_str());
    std::fflush(stdout);
    bar_ = true;
    return;
  }
  const std::size_t every = p.batches / 10;
  if (every == 0 || p.batch % every != 0 || p.batch >= p.batches) return;
  std::printf("  epoch %d/%d  step %zu/%zu  loss %.4e  %.0f samples/s  ETA %s\n", p.epoch, p.epochs, p.batch,
              p.batches, p.mean_loss, p.seconds > 0 ? double(p.samples) / p.seconds : 0.0, duration_text(eta).c_str());
  std::fflush(stdout);
}

void ConsoleFitObserver::epoch_done(const pipeline::EpochReport& r) {
  if (bar_) std::printf("\r\033[K");
  bar_ = false;
  drawn_at_ = -1;
  std::printf("epoch %d/%d  lr %.2e  loss %.4e  %.1f s  %.0f samples/s", r.stats.epoch, r.epochs, r.stats.lr,
              r.stats.loss, r.stats.seconds, r.stats.samples_per_second);
  if (r.scored)
    std::printf("  eval %.1f s (%zu voxels: predict %.1f, correct %.1f, score %.1f)  MI %.4f", r.evaluation_seconds,
                r.evaluated_voxels, r.predict_seconds, r.correct_seconds, r.score_seconds, r.scores.mi_pred);
  if (r.scored && r.scores.has_truth())
    std::printf("  PSNR %.2f / %.2f  SSIM %.4f / %.4f", r.scores.psnr[0], r.scores.psnr[1], r.scores.ssim[0],
                r.scores.ssim[1]);
  std::printf("\n");
  std::fflush(stdout);
}

void PredictionProgress::update(std::size_t done, std::size_t total, double seconds) {
  if (total == 0) return;
  if (progress_in_place()) {
    const bool finished = done >= total;
    if (!finished && drawn_at_ >= 0 && seconds - drawn_at_ < 0.2 && seconds >= drawn_at_) return;
    drawn_at_ = finished ? -1 : seconds;
    const double eta = done ? seconds * double(total - done) / double(done) : 0;
    std::printf("\r\033[K  predicting the output grid %s %3d%% of %.3g M voxels, %s, ETA %s",
                bar(double(done) / double(total)).c_str(), int(100 * done / total), double(total) / 1e6,
                duration_text(seconds).c_str(), duration_text(eta).c_str());
    if (finished) std::printf("\r\033[K");
    std::fflush(stdout);
    return;
  }
  // A line at each tenth reached once a second has passed (a short
  // prediction prints nothing), the last at 100%: logs stay short.
  if (total == 0) return;
  const int tenth = int(10 * done / total);
  const bool finished = done >= total;
  if (tenth <= printed_ || (seconds < 1 && !(finished && printed_ > 0))) {
    if (finished) printed_ = 0;
    return;
  }
  const double eta = done ? seconds * double(total - done) / double(done) : 0;
  std::printf("  predicting the output grid: %3d%% of %.3g M voxels, %s, ETA %s\n", int(100 * done / total),
              double(total) / 1e6, duration_text(seconds).c_str(), duration_text(eta).c_str());
  std::fflush(stdout);
  printed_ = finished ? 0 : tenth;  // after 100%, ready for the next prediction
}

void ConsoleFitObserver::predicting(std::size_t done, std::size_t total, double seconds) {
  prediction_.update(done, total, seconds);
}

void ConsoleFitObserver::early_stopped(int epoch) {
  std::printf("early stopping: MI(pred1, pred2) settled after epoch %d\n", epoch);
  std::fflush(stdout);
}

void print_outcome(const pipeline::FitConfig& config, const pipeline::FitOutcome& o) {
  using Status = pipeline::FitOutcome::Status;
  if (o.status == Status::interrupted) {
    std::printf("signal %d %s: checkpointed to %s; exiting (status %d)\n", pipeline::stop_signal(), o.where.c_str(),
                o.checkpoint.c_str(), pipeline::exit_interrupted);
  } else if (o.status == Status::already_complete) {
    std::printf("%s: this fit is complete (%d epochs, stopped by %s); nothing to do\n", o.checkpoint.c_str(),
                o.epochs_done, o.stop_reason.c_str());
  } else {
    if (o.final_scores && o.final_scores->has_truth()) {
      std::printf("\n%-24s %9s %9s %9s %9s\n", "", "PSNR c1", "SSIM c1", "PSNR c2", "SSIM c2");
      auto row = [](const std::string& label, const pipeline::Scores& s) {
        std::printf("%-24s %9.2f %9.4f %9.2f %9.4f\n", label.c_str(), s.psnr[0], s.ssim[0], s.psnr[1], s.ssim[1]);
      };
      for (const char* method : {"linear", "bspline"})
        if (o.baselines.count(method)) row(std::string(method) + " interpolation", o.baselines.at(method));
      row("mcinr field", *o.final_scores);
    }
    std::string names;
    for (const std::string& path : o.written)
      names += (names.empty() ? "" : ", ") + std::filesystem::path(path).filename().string();
    std::printf("wrote into %s: %s (%.1f s)\n", config.out.c_str(), names.c_str(), o.seconds);
  }
  std::fflush(stdout);
}

}  // namespace mcinr::drivers
