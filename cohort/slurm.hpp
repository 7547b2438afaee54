#pragma once
// What mcinr needs of Slurm: the batch script of a cohort's job array, and
// the client commands (sbatch, squeue, scontrol) run as child processes
// (cohort/process.hpp).
#include <string>
#include <vector>

namespace mcinr::cohort::slurm {

// The [slurm] section of a cohort config (keys: docs/hpc.md). Empty / 0:
// left to the cluster's defaults.
struct BatchSettings {
  std::string partition, time, mem, account, qos, constraint;
  int cpus_per_task = 0, gpus_per_task = 0;
  int signal_seconds = 120;          // SIGUSR1 this long before the time limit
  int max_parallel = 0;              // array throttle (%N); 0: no limit
  std::vector<std::string> modules;  // `module load` lines
  std::vector<std::string> env;      // NAME=VALUE, exported
  std::vector<std::string> setup;    // shell lines run before the task (spack load, source ...)
  std::vector<std::string> sbatch;   // further #SBATCH options, e.g. --exclusive
  std::string mcinr;                 // the mcinr the tasks run (default: this one)
  std::string job_name;              // the array's --job-name (default: mcinr-<run folder>)
};

// Reads the [slurm] section of an INI file (other sections and top-level
// keys are the fit's); an unknown slurm key or a bad value is an InputError.
BatchSettings read_batch_settings(const std::string& ini_path);

// Whether a path can be named in the batch script's #SBATCH lines (double
// quoted): no double quote and no control character such as a line break.
bool nameable_in_batch_script(const std::string& path);

// The job array's batch script: one subject per task; the array range is
// given at submission. Each task execs `mcinr cohort task RUN INDEX`, so the
// batch shell that receives --signal=B:USR1 is mcinr itself.
// The tasks run in work_dir (--chdir), where plan ran, so relative paths in
// the config mean what they meant there.
std::string batch_script(const BatchSettings& settings, const std::string& run_dir, const std::string& job_name,
                         const std::string& work_dir);

// "1-3,5,7-8" for {1, 2, 3, 5, 7, 8}.
std::string array_ranges(std::vector<int> indices);

// sbatch --parsable --array=RANGES[%N] script; returns the job id. Throws
// std::runtime_error with sbatch's message where it refuses (or is absent).
// The sbatch command line submit_array runs.
std::vector<std::string> sbatch_command(const std::string& script, const std::string& ranges, int max_parallel);
std::string submit_array(const std::string& script, const std::string& ranges, int max_parallel);

// Tasks of the given array jobs that Slurm still holds: pending, running,
// requeued, completing ...
struct QueuedTask {
  std::string job;  // array job id
  int task = -1;    // array index
  std::string state, reason;
};
// available is false where squeue is not installed or the cluster does not answer.
std::vector<QueuedTask> queued_tasks(const std::vector<std::string>& jobs, bool& available, std::string& why);

// scontrol requeue JOB; returns scontrol's message on failure, empty on success.
std::string requeue(const std::string& job);

}  // namespace mcinr::cohort::slurm
