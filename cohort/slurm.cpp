#include "mcinr/cohort/slurm.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

#include "mcinr/cohort/process.hpp"
#include "mcinr/io/text_files.hpp"
#include "mcinr/pipeline/errors.hpp"

namespace mcinr::cohort::slurm {

using pipeline::InputError;
using pipeline::require;

namespace {

int count_setting(const io::IniEntry& e, const std::string& origin) {
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(e.value.c_str(), &end, 10);
  require(
      !e.value.empty() && end && *end == '\0' && errno == 0 && v >= 0 && v <= 1000000,
      origin + ": line " + std::to_string(e.line) + ": [slurm] " + e.key + " must be a count, not '" + e.value + "'");
  return int(v);
}

}  // namespace

BatchSettings read_batch_settings(const std::string& ini_path) {
  std::vector<io::IniEntry> entries;
  try {
    entries = io::read_ini(ini_path);
  } catch (const std::runtime_error& e) {
    throw InputError(std::string(e.what()) + " (the config file)");
  }
  BatchSettings s;
  const std::map<std::string, std::string BatchSettings::*> texts = {{"partition", &BatchSettings::partition},
                                                                     {"time", &BatchSettings::time},
                                                                     {"mem", &BatchSettings::mem},
                                                                     {"account", &BatchSettings::account},
                                                                     {"qos", &BatchSettings::qos},
                                                                     {"constraint", &BatchSettings::constraint},
                                                                     {"mcinr", &BatchSettings::mcinr},
                                                                     {"job-name", &BatchSettings::job_name}};
  const std::map<std::string, int BatchSettings::*> counts = {{"cpus-per-task", &BatchSettings::cpus_per_task},
                                                              {"gpus-per-task", &BatchSettings::gpus_per_task},
                                                              {"signal-seconds", &BatchSettings::signal_seconds},
                                                              {"max-parallel", &BatchSettings::max_parallel}};
  const std::map<std::string, std::vector<std::string> BatchSettings::*> lists = {{"module", &BatchSettings::modules},
                                                                                  {"env", &BatchSettings::env},
                                                                                  {"setup", &BatchSettings::setup},
                                                                                  {"sbatch", &BatchSettings::sbatch}};
  for (const auto& e : entries) {
    if (e.section != "slurm") continue;
    const std::string where = ini_path + ": line " + std::to_string(e.line) + ": ";
    if (const auto t = texts.find(e.key); t != texts.end()) {
      s.*(t->second) = e.value;
    } else if (const auto c = counts.find(e.key); c != counts.end()) {
      s.*(c->second) = count_setting(e, ini_path);
    } else if (const auto l = lists.find(e.key); l != lists.end()) {
      (s.*(l->second)).push_back(e.value);
    } else {
      throw InputError(where + "unrecognised option 'slurm." + e.key + "' in [slurm]");
    }
    for (char ch : e.value)
      require(ch != '\n' && ch != '\r' && ch != '\0', where + "[slurm] " + e.key + " holds a line break");
  }
  require(s.signal_seconds >= 10, ini_path + ": [slurm] signal-seconds must be at least 10");
  for (const auto& e : s.env)
    require(e.find('=') != std::string::npos && e.find('=') > 0,
            ini_path + ": [slurm] env '" + e + "' is not NAME=VALUE");
  return s;
}

bool nameable_in_batch_script(const std::string& path) {
  return std::none_of(path.begin(), path.end(),
                      [](char ch) { return ch == '"' || static_cast<unsigned char>(ch) < 0x20; });
}

std::string batch_script(const BatchSettings& s, const std::string& run_dir, const std::string& job_name,
                         const std::string& work_dir) {
  // sbatch reads a double-quoted #SBATCH value as one word (spaces and all);
  // plan refuses paths it could not name so.
  for (const std::string* text : {&run_dir, &job_name, &work_dir})
    if (!nameable_in_batch_script(*text))
      throw std::logic_error("batch_script: a path holds a double quote or a control character");
  auto quoted = [](const std::string& value) { return "\"" + value + "\""; };
  std::ostringstream out;
  out << "#!/bin/bash\n"
      << "# One subject of the mcinr cohort in " << run_dir << " per array task.\n"
      << "# Written by `mcinr cohort plan`; submit with `mcinr cohort submit " << run_dir << "`,\n"
      << "# which sets --array to the subjects not yet done.\n"
      << "#SBATCH --job-name=" << quoted(job_name) << "\n"
      << "#SBATCH --output=" << quoted(run_dir + "/logs/task-%a.log") << "\n"
      << "#SBATCH --open-mode=append\n"
      << "#SBATCH --chdir=" << quoted(work_dir) << "\n"
      << "#SBATCH --ntasks=1\n"
      << "#SBATCH --requeue\n"
      << "#SBATCH --signal=B:USR1@" << s.signal_seconds << "\n";
  if (!s.partition.empty()) out << "#SBATCH --partition=" << s.partition << "\n";
  if (!s.account.empty()) out << "#SBATCH --account=" << s.account << "\n";
  if (!s.qos.empty()) out << "#SBATCH --qos=" << s.qos << "\n";
  if (!s.constraint.empty()) out << "#SBATCH --constraint=" << s.constraint << "\n";
  if (!s.time.empty()) out << "#SBATCH --time=" << s.time << "\n";
  if (!s.mem.empty()) out << "#SBATCH --mem=" << s.mem << "\n";
  if (s.cpus_per_task > 0) out << "#SBATCH --cpus-per-task=" << s.cpus_per_task << "\n";
  if (s.gpus_per_task > 0) out << "#SBATCH --gpus-per-task=" << s.gpus_per_task << "\n";
  for (const auto& option : s.sbatch) out << "#SBATCH " << option << "\n";
  out << "\n";
  for (const auto& module : s.modules) out << "module load " << module << "\n";
  for (const auto& line : s.setup) out << line << "\n";
  if (s.cpus_per_task > 0)
    out << "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-" << s.cpus_per_task << "}\n"
        << "export OMP_PROC_BIND=${OMP_PROC_BIND:-spread} OMP_PLACES=${OMP_PLACES:-threads}\n";
  for (const auto& e : s.env) out << "export " << e << "\n";
  out << "\n# mcinr replaces this shell, so Slurm's USR1 (time limit) and TERM (preemption,\n"
      << "# requeue) reach the fit: it checkpoints and exits; the requeued task resumes.\n"
      << "exec " << shell_quoted(s.mcinr) << " cohort task " << shell_quoted(run_dir) << " \"$SLURM_ARRAY_TASK_ID\"\n";
  return out.str();
}

std::string array_ranges(std::vector<int> indices) {
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::string out;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(indices[i]);
    if (j > i) out += '-' + std::to_string(indices[j]);
    i = j + 1;
  }
  return out;
}

namespace {

std::string first_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

}  // namespace

std::vector<std::string> sbatch_command(const std::string& script, const std::string& ranges, int max_parallel) {
  std::string array = "--array=" + ranges;
  if (max_parallel > 0) array += "%" + std::to_string(max_parallel);
  return {"sbatch", "--parsable", array, script};
}

std::string submit_array(const std::string& script, const std::string& ranges, int max_parallel) {
  const CommandResult r = run_command(sbatch_command(script, ranges, max_parallel));
  if (r.status == 127 && r.out.empty())
    throw std::runtime_error("sbatch not found: mcinr cohort submit runs on a Slurm cluster's login node");
  if (r.status != 0)
    throw std::runtime_error("sbatch refused the job array: " + first_line(r.err.empty() ? r.out : r.err));
  std::string id = first_line(r.out);
  id = id.substr(0, id.find(';'));  // "jobid;cluster" on multi-cluster sites
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch printed no job id (" + r.out + ")");
  return id;
}

std::vector<QueuedTask> queued_tasks(const std::vector<std::string>& jobs, bool& available, std::string& why) {
  std::vector<QueuedTask> tasks;
  available = true;
  why.clear();
  if (jobs.empty()) return tasks;
  std::string list;
  for (const auto& j : jobs) list += (list.empty() ? "" : ",") + j;
  // %F array job id, %K array index, %T state, %r reason; -r one line per task.
  auto ask = [](const std::string& job_list) {
    return run_command({"squeue", "-h", "-r", "-j", job_list, "-o", "%F|%K|%T|%r"});
  };
  CommandResult r = ask(list);
  if (r.status != 0 && r.err.find("Invalid job id") != std::string::npos) {
    // squeue refuses a job it no longer holds (ended longer ago than
    // MinJobAge): ask for each job alone and skip those.
    r.out.clear();
    r.status = 0;
    for (const auto& j : jobs) {
      const CommandResult one = ask(j);
      if (one.status == 0) {
        r.out += one.out;
      } else if (one.err.find("Invalid job id") == std::string::npos) {
        r = one;
        break;
      }
    }
  }
  if (r.status != 0) {
    available = false;
    why = r.status == 127 && r.out.empty() ? "squeue not found" : "squeue: " + first_line(r.err);
    return tasks;
  }
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    QueuedTask t;
    std::string task;
    std::getline(fields, t.job, '|');
    std::getline(fields, task, '|');
    std::getline(fields, t.state, '|');
    std::getline(fields, t.reason);
    try {
      t.task = std::stoi(task);
    } catch (const std::exception&) {
      continue;  // "N/A": a job that is not an array task
    }
    tasks.push_back(t);
  }
  return tasks;
}

std::string requeue(const std::string& job) {
  const CommandResult r = run_command({"scontrol", "requeue", job});
  return r.status == 0 ? std::string() : first_line(r.err.empty() ? r.out : r.err);
}

}  // namespace mcinr::cohort::slurm
