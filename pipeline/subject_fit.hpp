#pragma once
// A subject fit as a library call: a FitConfig goes in, a FitOutcome comes
// back, and progress goes to a FitObserver. `mcinr fit`, `mcinr cohort task`
// and the demo all run fits through here.
//
//   SubjectFit fit(config);          // validates; reads and checks every input
//   FitOutcome outcome = fit.run(observer, stop);  // writes into config.out
//
// The constructor touches no file but reading: bad input is refused (an
// InputError) before anything is written. run() trains epoch by epoch,
// evaluates, checkpoints, and writes per contrast <prefix>_desc-mcinr.nii.gz
// (masked to the scans' masks, pipeline/coverage.hpp) with its JSON sidecar,
// its scan mask and coverage map (names: pipeline/subject_layout.hpp), then
// metrics.csv, slices.png, checkpoint.h5 and summary.json (last). Where stop() says so between
// batches or evaluation stages, it checkpoints where training stands and
// returns an interrupted outcome; a later fit with resume continues bit for
// bit.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcinr/io/metric_table.hpp"
#include "mcinr/io/report.hpp"
#include "mcinr/pipeline/evaluation.hpp"
#include "mcinr/pipeline/fit_config.hpp"

namespace mcinr::pipeline {

// What a fit is about to do.
struct FitPlan {
  std::string backend;                // Kokkos, threads, GEMM provider
  std::array<std::string, 2> images;  // the two scans
  std::array<io::Geometry, 2> scan_grids;
  std::vector<std::string> warnings;  // e.g. both scans thick along one direction
  std::vector<std::string> notes;     // the scans' masks, what each contrast's field invents
  std::size_t batch_size = 0, samples = 0, parameters = 0;
  std::string model;  // "split-head 256x4, heads 128, FF 128 x 4"
  io::Geometry grid;  // output grid
  bool with_truth = false;
  std::string checkpoint;  // its path
  // Estimates from a timed prediction of a slab of the grid (seconds).
  double epoch_seconds_estimate = 0, prediction_seconds_estimate = 0;
  std::size_t predicted_voxels = 0;  // of the final prediction (the grid's, or the correction's support)
};

// Where a resumed fit continues.
struct ResumePoint {
  std::string checkpoint;
  int epochs_done = 0;
  std::uint64_t next_batch = 0;  // > 0: inside epoch epochs_done + 1
  std::string text() const;      // "epoch 3 batch 120" / "epoch 2 end"
};

struct EpochReport {
  EpochStats stats;
  int epochs = 0;       // planned
  bool scored = false;  // evaluated this epoch
  Scores scores;
  double evaluation_seconds = 0;  // prediction, corrections and scoring, where scored
  double predict_seconds = 0, correct_seconds = 0, score_seconds = 0;  // its three parts
  std::size_t evaluated_voxels = 0;  // the voxels predicted: the grid, or the brain mask's (fast evaluation)
};

// Progress of a fit. Every callback is optional.
class FitObserver {
 public:
  virtual ~FitObserver() = default;
  virtual void planned(const FitPlan&) {}
  virtual void baseline(const std::string& /*method*/, const Scores&) {}
  virtual void resumed(const ResumePoint&) {}
  // After every batch; eta_seconds: the rest of the fit: training, the
  // evaluations to come and the final prediction of the grid.
  virtual void training(const BatchProgress&, double /*eta_seconds*/) {}
  virtual void epoch_done(const EpochReport&) {}
  virtual void early_stopped(int /*epoch*/) {}
  // During the prediction of the whole output grid for the written volumes,
  // after each chunk: voxels done, in all, seconds so far.
  virtual void predicting(std::size_t /*done*/, std::size_t /*total*/, double /*seconds*/) {}
};

struct FitOutcome {
  enum class Status { finished, already_complete, interrupted };
  Status status = Status::finished;
  int epochs_done = 0;
  std::uint64_t next_batch = 0;        // interrupted: next batch of epoch epochs_done + 1
  std::string where;                   // interrupted: "in epoch 3 at batch 120/553", "at the evaluation of epoch 3"
  std::string stop_reason;             // "epochs" or "mi" once complete
  double seconds = 0;                  // this call's fitting time
  std::optional<Scores> final_scores;  // of the last scored epoch
  std::map<std::string, Scores> baselines;  // "linear", "bspline" (with ground truth)
  std::string resumed_at;                   // ResumePoint::text() of a resumed fit, else empty
  std::string checkpoint;
  std::vector<std::string> written;  // output files, on completion: the two volumes first
  bool interrupted() const { return status == Status::interrupted; }
};

class SubjectFit {
 public:
  explicit SubjectFit(const FitConfig& config);
  ~SubjectFit();
  SubjectFit(const SubjectFit&) = delete;
  SubjectFit& operator=(const SubjectFit&) = delete;

  const FitConfig& config() const;  // resolved
  const FitPlan& plan() const;
  FitOutcome run(FitObserver& observer, const StopRequested& stop = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
  // The volumes, sidecars, masks, coverage maps and pictures of a finished fit.
  static void write_outputs(State& s, FitOutcome& outcome, const io::MetricTable& table);
  // The alignment check (a warning where the scans look misaligned) and,
  // with --register rigid, scan 2's header corrected onto scan 1.
  static void align_scans(State& s);
  // report.html's content but its panels.
  static io::FitReport fit_report(const State& s, const FitOutcome& outcome, const io::MetricTable& table);
  static std::string volume_sidecar_json(const State& s, int contrast);
};

// The first of the files a finished fit writes into its output folder (its
// summary.json, then those the summary lists; the checkpoint aside) that
// `folder` lacks; "" where all are there.
std::string missing_fit_output(const std::string& folder);

// SubjectFit(config).run(observer, stop).
FitOutcome fit_subject(const FitConfig& config, FitObserver& observer, const StopRequested& stop = {});

// The whole grid (N x 2) from the predictions of some of its voxels (M x 2,
// voxel indices `index`): the others take each contrast's minimum of them
// (the brain mask's voxels: the volume's range is then the mask's), or with
// fill_with_minimum = false 0 (voxels nothing reads).
void expand_masked(const Matrix<float>& part, const Kokkos::View<std::size_t*, MemSpace>& index,
                   const Matrix<float>& full, bool fill_with_minimum = true);

// Predictions (in the scans' [0, 1] intensity units) clamped to [0, 1], or
// (above = false) only from below, to 0.
void clamp_unit(const Matrix<float>& prediction, bool above = true);

// The summary.json of a fit: its outcome, inputs and every option's value.
std::string fit_summary_json(const FitConfig& config, const FitPlan& plan, const FitOutcome& outcome);

}  // namespace mcinr::pipeline
