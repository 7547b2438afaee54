#include "drivers/slurm.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/options.hpp"

extern char** environ;
namespace po = boost::program_options;

namespace mcinr::drivers::slurm {

BatchSettings read_batch_settings(const std::string& ini_path) {
  BatchSettings s;
  po::options_description options;
  options.add_options()
      ("slurm.partition", po::value(&s.partition))
      ("slurm.time", po::value(&s.time))
      ("slurm.mem", po::value(&s.mem))
      ("slurm.account", po::value(&s.account))
      ("slurm.qos", po::value(&s.qos))
      ("slurm.constraint", po::value(&s.constraint))
      ("slurm.cpus-per-task", po::value(&s.cpus_per_task))
      ("slurm.gpus-per-task", po::value(&s.gpus_per_task))
      ("slurm.signal-seconds", po::value(&s.signal_seconds))
      ("slurm.max-parallel", po::value(&s.max_parallel))
      ("slurm.module", po::value(&s.modules)->composing())
      ("slurm.env", po::value(&s.env)->composing())
      ("slurm.setup", po::value(&s.setup)->composing())
      ("slurm.sbatch", po::value(&s.sbatch)->composing())
      ("slurm.mcinr", po::value(&s.mcinr));
  std::ifstream ini(ini_path);
  require(bool(ini), ini_path + ": cannot read the config file");
  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::parse_config_file(ini, options, true);
    for (const auto& option : parsed.options)
      if (option.unregistered && option.string_key.rfind("slurm.", 0) == 0)
        throw UsageError(ini_path + ": unrecognised option '" + option.string_key + "' in [slurm]");
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(ini_path + ": " + e.what());
  }
  require(s.cpus_per_task >= 0 && s.gpus_per_task >= 0 && s.max_parallel >= 0,
          ini_path + ": [slurm] counts must not be negative");
  require(s.signal_seconds >= 10, ini_path + ": [slurm] signal-seconds must be at least 10");
  for (const auto& e : s.env)
    require(e.find('=') != std::string::npos && e.find('=') > 0,
            ini_path + ": [slurm] env '" + e + "' is not NAME=VALUE");
  return s;
}

std::string shell_quoted(const std::string& word) {
  std::string out = "'";
  for (char ch : word) {
    if (ch == '\'')
      out += "'\\''";
    else
      out += ch;
  }
  return out + "'";
}

std::string batch_script(const BatchSettings& s, const std::string& run_dir, const std::string& job_name,
                         const std::string& work_dir) {
  std::ostringstream out;
  out << "#!/bin/bash\n"
      << "# One subject of the mcinr cohort in " << run_dir << " per array task.\n"
      << "# Written by `mcinr cohort plan`; submit with `mcinr cohort submit " << run_dir << "`,\n"
      << "# which sets --array to the subjects not yet done.\n"
      << "#SBATCH --job-name=" << job_name << "\n"
      << "#SBATCH --output=" << run_dir << "/logs/task-%a.log\n"
      << "#SBATCH --open-mode=append\n"
      << "#SBATCH --chdir=" << work_dir << "\n"
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

CommandResult run_command(const std::vector<std::string>& argv) {
  CommandResult result;
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe(err_pipe) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.status = 127;
    result.err = argv[0] + ": " + std::strerror(spawned);
    return result;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2;
  char buffer[4096];
  while (open_pipes > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, std::size_t(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // posix_spawnp reports a missing program as exit status 127 on glibc.
  return result;
}

namespace {

std::string first_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

}  // namespace

std::string submit_array(const std::string& script, const std::string& ranges, int max_parallel) {
  std::string array = "--array=" + ranges;
  if (max_parallel > 0) array += "%" + std::to_string(max_parallel);
  const CommandResult r = run_command({"sbatch", "--parsable", array, script});
  if (r.status == 127 && r.out.empty())
    throw UsageError("sbatch not found: mcinr cohort submit runs on a Slurm cluster's login node");
  if (r.status != 0)
    throw UsageError("sbatch refused the job array: " + first_line(r.err.empty() ? r.out : r.err));
  std::string id = first_line(r.out);
  id = id.substr(0, id.find(';'));  // "jobid;cluster" on multi-cluster sites
  require(!id.empty() && id.find_first_not_of("0123456789") == std::string::npos,
          "sbatch printed no job id (" + r.out + ")");
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

}  // namespace mcinr::drivers::slurm
