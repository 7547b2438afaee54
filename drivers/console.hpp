#pragma once
// A fit's progress on the terminal (and in a cohort task's log): the plan,
// the interpolation scores, a line per 10% of an epoch with its ETA, a line
// per epoch, and the final table.
#include "mcinr/pipeline/subject_fit.hpp"

namespace mcinr::drivers {

// Progress lines of a long grid prediction: "  predicting the output grid:
//  40% of 13.7 M voxels, 31 s, ETA 46 s", at each tenth.
// On a terminal (isatty) the line is redrawn in place instead.
class PredictionProgress {
 public:
  void update(std::size_t done, std::size_t total, double seconds);

 private:
  int printed_ = 0;  // the last tenth printed
  double drawn_at_ = -1;  // terminal: when the line was last drawn
};

// "45 s", "3 min 12 s", "2 h 05 min".
std::string duration_text(double seconds);

// Whether standard output is a terminal: progress is then a line redrawn in
// place (a bar), else plain lines a log keeps.
bool progress_in_place();

class ConsoleFitObserver : public pipeline::FitObserver {
 public:
  void planned(const pipeline::FitPlan& plan) override;
  void baseline(const std::string& method, const pipeline::Scores& scores) override;
  void resumed(const pipeline::ResumePoint& point) override;
  void training(const BatchProgress& progress, double eta_seconds) override;
  void epoch_done(const pipeline::EpochReport& report) override;
  void early_stopped(int epoch) override;
  void predicting(std::size_t done, std::size_t total, double seconds) override;

 private:
  PredictionProgress prediction_;
  double drawn_at_ = -1;  // terminal: when the training bar was last drawn (seconds into the epoch)
  bool bar_ = false;      // a bar is on the line
};

// What a finished, complete or interrupted fit prints last.
void print_outcome(const pipeline::FitConfig& config, const pipeline::FitOutcome& outcome);

}  // namespace mcinr::drivers
