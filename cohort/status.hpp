#pragma once
// Where each subject of a cohort stands, from its state file and Slurm's
// queue (never from the fits' HDF5 files: status of 1000 subjects takes
// milliseconds), and what submit sends.
#include <string>
#include <vector>

#include "mcinr/cohort/run_folder.hpp"
#include "mcinr/cohort/task_state.hpp"

namespace mcinr::cohort {

enum class SubjectStatus { done, running, pending, failed, interrupted, not_submitted };
std::string to_string(SubjectStatus status);  // "not submitted" for not_submitted

struct SubjectView {
  SubjectStatus status = SubjectStatus::not_submitted;
  std::string detail;
  TaskRecord record;
};

struct CohortView {
  std::vector<SubjectView> subjects;  // in run.subjects' order
  bool queue_available = true;
  std::string queue_note;  // why the queue was not seen
  int count(SubjectStatus status) const;
};

CohortView view_cohort(const Run& run);

struct SubmitResult {
  std::vector<int> indices;  // submitted (or that would be)
  std::string ranges;        // "1-3,5"
  int done = 0, queued = 0;  // skipped
  std::string job;           // the array job's id (empty: nothing submitted, or a dry run)
  std::string command;       // the sbatch command line (shell-quoted), run or, on a dry run, not
};
// sbatch's the array for the subjects neither done nor queued (unless
// dry_run); records the job in jobs.csv. InputError where the queue cannot
// be seen.
SubmitResult submit_cohort(const Run& run, bool dry_run);

}  // namespace mcinr::cohort
