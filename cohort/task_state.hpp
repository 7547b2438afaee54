#pragma once
// A cohort task's state file, state/<subject>.txt (key = value lines), as a
// typed record: where the subject's fit stands, its attempts, and its
// outcome. The keys are those of docs/hpc.md.
#include <map>
#include <string>

#include "mcinr/io/text_files.hpp"
#include "mcinr/pipeline/evaluation.hpp"

namespace mcinr::cohort {

enum class TaskState { none, running, done, failed, interrupted, unreadable };
std::string to_string(TaskState state);
TaskState parse_task_state(const std::string& text);  // unknown text: unreadable

struct TaskRecord {
  TaskState state = TaskState::none;  // none: no state file
  std::string subject;
  int index = 0;
  int attempts = 0;
  double seconds = 0;      // all attempts
  std::string resumed_at;  // "epoch 3 batch 120", "epoch 2 end", or empty
  std::string job, host, restarts, started, updated;
  std::string error;                                  // failed, unreadable
  std::string signal, checkpoint, requeue;            // interrupted
  int epochs = 0;                                     // done
  std::string stop_reason;                            // done
  pipeline::Scores metrics;                           // done
  std::map<std::string, pipeline::Scores> baselines;  // done, with ground truth

  io::Record to_record() const;
  static TaskRecord from_record(const io::Record& record);
};

// An absent file is state none; a broken one is state unreadable with the reason as error.
TaskRecord read_task_record(const std::string& path);
void write_task_record(const std::string& path, const TaskRecord& record);

// Numbers as the state files and tables hold them ("" for NaN).
std::string number_text(double value, const char* format = "%.10g");
double parse_number(const std::string& text);  // NaN where not a number
std::string now_utc();                         // 2026-11-25T22:21:26Z

}  // namespace mcinr::cohort
