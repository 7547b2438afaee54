#include "mcinr/cohort/task.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "mcinr/cohort/run_folder.hpp"
#include "mcinr/cohort/slurm.hpp"
#include "mcinr/cohort/task_state.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/stop_signal.hpp"

namespace fs = std::filesystem;

namespace mcinr::cohort {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGTERM:
      return "TERM";
    case SIGUSR1:
      return "USR1";
    default:
      return "?";
  }
}

// Passes the fit's progress on, and notes in the state file where a resumed
// fit continues (while it runs, status shows it).
class TaskObserver : public pipeline::FitObserver {
 public:
  TaskObserver(pipeline::FitObserver& inner, std::function<void(const pipeline::ResumePoint&)> on_resume)
      : inner_(inner), on_resume_(std::move(on_resume)) {}
  void planned(const pipeline::FitPlan& p) override { inner_.planned(p); }
  void baseline(const std::string& m, const pipeline::Scores& s) override { inner_.baseline(m, s); }
  void resumed(const pipeline::ResumePoint& p) override {
    on_resume_(p);
    inner_.resumed(p);
  }
  void training(const BatchProgress& p, double eta) override { inner_.training(p, eta); }
  void epoch_done(const pipeline::EpochReport& r) override { inner_.epoch_done(r); }
  void early_stopped(int epoch) override { inner_.early_stopped(epoch); }

 private:
  pipeline::FitObserver& inner_;
  std::function<void(const pipeline::ResumePoint&)> on_resume_;
};

}  // namespace

int run_task(const std::string& run_dir, int index, const std::function<void(const std::string&)>& say,
             pipeline::FitObserver& fit_observer) {
  const auto started = std::chrono::steady_clock::now();
  const Run run = open_run(run_dir);
  const SubjectEntry& subject = run.subject(index);
  const std::string state_path = run.state_file(subject).string();
  const std::string job = env("SLURM_ARRAY_JOB_ID").empty()
                              ? env("SLURM_JOB_ID")
                              : env("SLURM_ARRAY_JOB_ID") + "_" + env("SLURM_ARRAY_TASK_ID");
  const TaskRecord before = read_task_record(state_path);
  if (before.state == TaskState::done && missing_output(subject).empty()) {
    say("mcinr cohort task " + std::to_string(subject.index) + " (" + subject.id + "): done already (" + state_path +
        "); nothing to do");
    return pipeline::exit_ok;
  }
  TaskRecord record;
  record.subject = subject.id;
  record.index = subject.index;
  record.attempts = before.attempts + 1;
  record.resumed_at = before.resumed_at;
  record.job = job.empty() ? "local" : job;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  record.host = host;
  record.restarts = env("SLURM_RESTART_COUNT").empty() ? "0" : env("SLURM_RESTART_COUNT");
  record.started = now_utc();
  auto save = [&](TaskState state) {
    record.state = state;
    record.updated = now_utc();
    record.seconds = before.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    write_task_record(state_path, record);
  };
  save(TaskState::running);
  say("mcinr cohort task " + std::to_string(subject.index) + " (" + subject.id + ") on " + host + ", job " +
      record.job + ", attempt " + std::to_string(record.attempts));

  pipeline::FitConfig config;
  pipeline::apply_fit_options(
      config, {{"subject", subject.folder}, {"contrasts", run.contrasts()}, {"out", subject.out}, {"resume", "true"}},
      run.config());

  TaskObserver observer(fit_observer, [&](const pipeline::ResumePoint& point) {
    record.resumed_at = point.text();
    save(TaskState::running);
  });
  pipeline::FitOutcome outcome;
  try {
    outcome = pipeline::fit_subject(config, observer, pipeline::stop_requested);
  } catch (const std::exception& e) {
    record.error = e.what();
    save(TaskState::failed);
    throw;
  }
  if (outcome.interrupted()) {
    const int signal = pipeline::stop_signal();
    record.signal = signal_name(signal);
    record.checkpoint = pipeline::ResumePoint{"", outcome.epochs_done, outcome.next_batch}.text();
    // SIGUSR1 is the time-limit warning: nothing requeues the task but itself.
    // SIGTERM comes with preemption or requeue (Slurm requeues) or scancel.
    if (signal == SIGUSR1 && !job.empty()) {
      const std::string failed = slurm::requeue(job);
      record.requeue = failed.empty() ? "requested" : "failed: " + failed;
      say("requeue of " + job + ": " + (failed.empty() ? std::string("requested") : failed));
    }
    save(TaskState::interrupted);
    return pipeline::exit_interrupted;
  }
  record.epochs = outcome.epochs_done;
  record.stop_reason = outcome.stop_reason;
  if (outcome.final_scores) record.metrics = *outcome.final_scores;
  record.baselines = outcome.baselines;
  save(TaskState::done);
  return pipeline::exit_ok;
}

}  // namespace mcinr::cohort
