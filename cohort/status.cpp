#include "mcinr/cohort/status.hpp"

#include <algorithm>

#include "mcinr/cohort/process.hpp"
#include "mcinr/cohort/slurm.hpp"
#include "mcinr/pipeline/errors.hpp"

namespace mcinr::cohort {

std::string to_string(SubjectStatus status) {
  switch (status) {
    case SubjectStatus::done:
      return "done";
    case SubjectStatus::running:
      return "running";
    case SubjectStatus::pending:
      return "pending";
    case SubjectStatus::failed:
      return "failed";
    case SubjectStatus::interrupted:
      return "interrupted";
    case SubjectStatus::not_submitted:
      return "not submitted";
  }
  return "?";
}

int CohortView::count(SubjectStatus status) const {
  return int(std::count_if(subjects.begin(), subjects.end(), [&](const SubjectView& s) { return s.status == status; }));
}

namespace {

int epochs_in_metrics(const SubjectEntry& s) {
  try {
    return int(io::read_csv((std::filesystem::path(s.out) / "metrics.csv").string()).rows.size());
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

CohortView view_cohort(const Run& run) {
  CohortView view;
  const std::vector<JobRecord> jobs = read_jobs(run);
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.job);
  const auto queued = slurm::queued_tasks(ids, view.queue_available, view.queue_note);
  for (const auto& s : run.subjects) {
    SubjectView v;
    v.record = read_task_record(run.state_file(s).string());
    const TaskRecord& r = v.record;
    // The newest job that holds this index.
    std::string submitted_in;
    const slurm::QueuedTask* in_queue = nullptr;
    for (auto j = jobs.rbegin(); j != jobs.rend() && submitted_in.empty(); ++j) {
      if (std::find(j->tasks.begin(), j->tasks.end(), s.index) == j->tasks.end()) continue;
      submitted_in = j->job;
      for (const auto& q : queued)
        if (q.job == j->job && q.task == s.index) in_queue = &q;
    }
    const std::string task_id = submitted_in + "_" + std::to_string(s.index);
    const std::string resumed = r.resumed_at.empty() ? std::string() : ", resumed at " + r.resumed_at;
    const bool running_in_queue = in_queue && (in_queue->state == "RUNNING" || in_queue->state == "COMPLETING" ||
                                               in_queue->state == "CONFIGURING");
    const std::string missing = r.state == TaskState::done ? missing_output(s) : "";
    if (r.state == TaskState::done && !missing.empty() && !running_in_queue && !in_queue) {
      // Done by its state file, but an output went missing (deleted, or a
      // kill before the state file could say otherwise): not done.
      v.status = SubjectStatus::failed;
      v.detail = "its state file says done but " + missing + " is missing: submit again (the fit resumes and writes it)";
    } else if (r.state == TaskState::done && missing.empty()) {
      v.status = SubjectStatus::done;
      v.detail = std::to_string(r.epochs) + " epochs (" + r.stop_reason + "), " + number_text(r.seconds, "%.0f") +
                 " s, " + std::to_string(r.attempts) + " attempt(s)" + resumed;
    } else if (running_in_queue) {
      v.status = SubjectStatus::running;
      v.detail = "job " + task_id + ", " + std::to_string(epochs_in_metrics(s)) + " epochs done";
      if (r.state == TaskState::running) v.detail += ", attempt " + std::to_string(r.attempts) + resumed;
    } else if (in_queue) {
      v.status = SubjectStatus::pending;
      v.detail = "job " + task_id + " " + in_queue->state;
      if (!in_queue->reason.empty() && in_queue->reason != "None") v.detail += " (" + in_queue->reason + ")";
      if (r.state == TaskState::interrupted) v.detail += ", resumes from " + r.checkpoint;
    } else if (r.state == TaskState::failed || r.state == TaskState::unreadable) {
      v.status = SubjectStatus::failed;
      v.detail = r.error;
    } else if (r.state == TaskState::interrupted) {
      v.status = SubjectStatus::interrupted;
      v.detail =
          "checkpointed at " + r.checkpoint + " after signal " + r.signal + ", not queued: submit again to resume";
    } else if (r.state == TaskState::running) {
      if (!view.queue_available) {
        v.status = SubjectStatus::running;
        v.detail = "by its state file (" + view.queue_note + ")";
      } else {
        v.status = SubjectStatus::failed;
        v.detail =
            "job " + task_id + " ended without a result (killed or out of time?); see " + run.log_file(s).string();
      }
    } else if (!submitted_in.empty()) {
      if (!view.queue_available) {
        v.status = SubjectStatus::pending;
        v.detail = "job " + task_id + " (" + view.queue_note + ")";
      } else {
        v.status = SubjectStatus::failed;
        v.detail = "job " + task_id + " ended before its task started; see " + run.log_file(s).string();
      }
    }
    view.subjects.push_back(v);
  }
  return view;
}

SubmitResult submit_cohort(const Run& run, bool dry_run) {
  const CohortView view = view_cohort(run);
  pipeline::require(view.queue_available, "cannot see Slurm's queue (" + view.queue_note + "): nothing submitted");
  SubmitResult result;
  for (std::size_t i = 0; i < run.subjects.size(); ++i) {
    const SubjectStatus status = view.subjects[i].status;
    if (status == SubjectStatus::done)
      ++result.done;
    else if (status == SubjectStatus::running || status == SubjectStatus::pending)
      ++result.queued;
    else
      result.indices.push_back(run.subjects[i].index);
  }
  if (result.indices.empty()) return result;
  result.ranges = slurm::array_ranges(result.indices);
  const std::string config = run.config();
  const slurm::BatchSettings batch = config.empty() ? slurm::BatchSettings{} : slurm::read_batch_settings(config);
  const std::string script = (run.dir / "cohort.sbatch").string();
  for (const std::string& word : slurm::sbatch_command(script, result.ranges, batch.max_parallel))
    result.command += (result.command.empty() ? "" : " ") + shell_word(word);
  if (dry_run) return result;
  result.job = slurm::submit_array(script, result.ranges, batch.max_parallel);
  append_job(run, result.job, result.ranges);
  return result;
}

}  // namespace mcinr::cohort
