// `mcinr cohort`: plan a cohort of subject fits as one Slurm job array,
// submit it, follow it, and collect one table for the whole cohort.
#include "drivers/cohort.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "drivers/fit.hpp"
#include "drivers/options.hpp"
#include "drivers/slurm.hpp"
#include "drivers/stop_signal.hpp"
#include "io/checkpoint.hpp"
#include "io/metric_table.hpp"
#include "io/text_files.hpp"
#include "mcinr/version.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mcinr::drivers {
namespace cohort {

std::vector<SubjectEntry> find_subjects(const std::string& root, const std::string& c1, const std::string& c2,
                                        const std::string& fits_dir, std::vector<std::string>& warnings) {
  require(fs::is_directory(root), root + ": no such folder");
  const std::string suffix = "_" + c1 + "_LR.nii.gz";
  std::map<std::string, std::string> id_of_folder;  // sorted by folder
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string folder = fs::absolute(it->path().parent_path()).lexically_normal().string();
    const std::string id = name.substr(0, name.size() - suffix.size());
    const auto [found, inserted] = id_of_folder.emplace(folder, id);
    require(inserted, folder + ": holds more than one subject (" + found->second + ", " + id +
                          "): give each subject a folder of its own");
  }
  require(!ec, root + ": cannot list (" + ec.message() + ")");
  require(!id_of_folder.empty(), root + ": no subject folders (no file named <id>" + suffix + " below it)");
  std::vector<SubjectEntry> subjects;
  std::map<std::string, std::string> folder_of_id;
  for (const auto& [folder, id] : id_of_folder) {
    const auto [other, inserted] = folder_of_id.emplace(id, folder);
    require(inserted, "two subject folders with the id " + id + ": " + other->second + " and " + folder);
    SubjectEntry s;
    s.index = int(subjects.size()) + 1;
    s.id = id;
    s.folder = folder;
    s.image1 = (fs::path(folder) / (id + suffix)).string();
    s.image2 = (fs::path(folder) / (id + "_" + c2 + "_LR.nii.gz")).string();
    s.out = (fs::path(fits_dir) / id).string();
    if (!fs::exists(s.image2)) warnings.push_back("subject " + id + " has no " + c2 + " scan (" + s.image2 +
                                                  "): its task will fail");
    subjects.push_back(s);
  }
  return subjects;
}

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd r;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      ++r.n;
    }
  if (r.n == 0) {
    r.mean = r.std = NAN;
    return r;
  }
  r.mean = sum / r.n;
  double squares = 0;
  for (double v : values)
    if (std::isfinite(v)) squares += (v - r.mean) * (v - r.mean);
  r.std = r.n > 1 ? std::sqrt(squares / (r.n - 1)) : 0.0;
  return r;
}

}  // namespace cohort

namespace {

using cohort::SubjectEntry;

const std::vector<std::string> manifest_columns = {"index", "subject", "folder", "image1", "image2", "out"};
// Metrics a done task records, by metrics.csv column.
const std::vector<std::string> metric_names = {"mi_pred", "psnr1", "ssim1", "psnr2", "ssim2",
                                               "mi_gt",   "mi_err1", "mi_err2"};
const std::vector<std::string> baseline_names = {"linear", "bspline"};
const std::vector<std::string> baseline_metrics = {"psnr1", "ssim1", "psnr2", "ssim2"};

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

std::string number(double v, const char* format = "%.10g") {
  if (!std::isfinite(v)) return "";
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

double parse_number(const std::string& s) {
  if (s.empty()) return NAN;
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return NAN;
  }
}

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

std::string this_executable() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("mcinr") : self.string();
}

// A planned run folder.
struct Run {
  fs::path dir;
  io::Record plan;
  std::vector<SubjectEntry> subjects;

  fs::path state_file(const SubjectEntry& s) const { return dir / "state" / (s.id + ".txt"); }
  fs::path log_file(const SubjectEntry& s) const { return dir / "logs" / ("task-" + std::to_string(s.index) + ".log"); }
  std::string contrast(int c) const {
    const std::string& both = plan.at("contrasts");
    const auto comma = both.find(',');
    return c == 0 ? both.substr(0, comma) : both.substr(comma + 1);
  }
};

Run open_run(const std::string& dir) {
  Run run;
  run.dir = absolute(dir);
  const fs::path plan = run.dir / "plan.ini", manifest = run.dir / "manifest.csv";
  require(fs::exists(plan) && fs::exists(manifest),
          dir + ": not a cohort run folder (no plan.ini / manifest.csv; make one with mcinr cohort plan)");
  try {
    run.plan = io::read_record(plan.string());
    for (const char* key : {"contrasts", "mcinr"})
      if (!run.plan.count(key)) throw std::runtime_error(plan.string() + ": no '" + key + "' entry");
    const io::TextTable table = io::read_csv(manifest.string());
    std::vector<std::size_t> at;
    for (const auto& name : manifest_columns) at.push_back(table.column(name));
    for (const auto& row : table.rows) {
      SubjectEntry s;
      s.index = std::stoi(row[at[0]]);
      s.id = row[at[1]];
      s.folder = row[at[2]];
      s.image1 = row[at[3]];
      s.image2 = row[at[4]];
      s.out = row[at[5]];
      run.subjects.push_back(s);
    }
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError(dir + ": broken run folder: " + e.what());
  }
  return run;
}

io::Record read_state(const Run& run, const SubjectEntry& s) {
  const fs::path path = run.state_file(s);
  if (!fs::exists(path)) return {};
  try {
    return io::read_record(path.string());
  } catch (const std::exception& e) {
    return {{"state", "unknown"}, {"error", e.what()}};
  }
}

struct JobRecord {
  std::string job, submitted;
  std::set<int> tasks;
};

std::vector<JobRecord> read_jobs(const Run& run) {
  std::vector<JobRecord> jobs;
  const fs::path path = run.dir / "jobs.csv";
  if (!fs::exists(path)) return jobs;
  const io::TextTable table = io::read_csv(path.string());
  const std::size_t job = table.column("job"), submitted = table.column("submitted"), tasks = table.column("tasks");
  for (const auto& row : table.rows) {
    JobRecord r{row[job], row[submitted], {}};
    // "1-3,5"
    std::istringstream ranges(row[tasks]);
    std::string range;
    while (std::getline(ranges, range, ',')) {
      const auto dash = range.find('-');
      const int lo = std::stoi(range.substr(0, dash));
      const int hi = dash == std::string::npos ? lo : std::stoi(range.substr(dash + 1));
      for (int i = lo; i <= hi; ++i) r.tasks.insert(i);
    }
    jobs.push_back(r);
  }
  return jobs;
}

// A subject's place in the cohort, from its state file and Slurm's queue.
struct SubjectStatus {
  std::string status;  // done, running, pending, failed, interrupted, not submitted
  std::string detail;
  io::Record state;
};

struct CohortView {
  std::vector<SubjectStatus> subjects;
  bool queue_available = true;
  std::string queue_note;
};

int epochs_in_metrics(const SubjectEntry& s) {
  try {
    const io::TextTable t = io::read_csv((fs::path(s.out) / "metrics.csv").string());
    return int(t.rows.size());
  } catch (const std::exception&) {
    return 0;
  }
}

CohortView view_cohort(const Run& run) {
  CohortView view;
  const std::vector<JobRecord> jobs = read_jobs(run);
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.job);
  const auto queued = slurm::queued_tasks(ids, view.queue_available, view.queue_note);
  for (const auto& s : run.subjects) {
    SubjectStatus st;
    st.state = read_state(run, s);
    const std::string state = st.state.count("state") ? st.state.at("state") : "";
    // The newest job that holds this index.
    std::string submitted_in;
    const slurm::QueuedTask* in_queue = nullptr;
    for (auto j = jobs.rbegin(); j != jobs.rend() && submitted_in.empty(); ++j) {
      if (!j->tasks.count(s.index)) continue;
      submitted_in = j->job;
      for (const auto& q : queued)
        if (q.job == j->job && q.task == s.index) in_queue = &q;
    }
    const std::string task_id = submitted_in + "_" + std::to_string(s.index);
    auto resumed_note = [&]() {
      const auto r = st.state.find("resumed_at");
      return r == st.state.end() || r->second.empty() ? std::string() : ", resumed at " + r->second;
    };
    if (state == "done") {
      st.status = "done";
      st.detail = st.state["epochs"] + " epochs (" + st.state["stop_reason"] + "), " +
                  number(parse_number(st.state["seconds"]), "%.0f") + " s, " + st.state["attempts"] + " attempt(s)" +
                  resumed_note();
    } else if (in_queue && (in_queue->state == "RUNNING" || in_queue->state == "COMPLETING" ||
                            in_queue->state == "CONFIGURING")) {
      st.status = "running";
      st.detail = "job " + task_id + ", " + std::to_string(epochs_in_metrics(s)) + " epochs done";
      if (state == "running") st.detail += ", attempt " + st.state["attempts"] + resumed_note();
    } else if (in_queue) {
      st.status = "pending";
      st.detail = "job " + task_id + " " + in_queue->state;
      if (!in_queue->reason.empty() && in_queue->reason != "None") st.detail += " (" + in_queue->reason + ")";
      if (state == "interrupted") st.detail += ", resumes from " + st.state["checkpoint"];
    } else if (state == "failed" || state == "unknown") {
      st.status = "failed";
      st.detail = st.state["error"];
    } else if (state == "interrupted") {
      st.status = "interrupted";
      st.detail = "checkpointed at " + st.state["checkpoint"] + " after signal " + st.state["signal"] +
                  ", not queued: submit again to resume";
    } else if (state == "running") {
      if (!view.queue_available) {
        st.status = "running";
        st.detail = "by its state file (" + view.queue_note + ")";
      } else {
        st.status = "failed";
        st.detail = "job " + task_id + " ended without a result (killed or out of time?); see " +
                    run.log_file(s).string();
        st.state["error"] = st.detail;
      }
    } else if (!submitted_in.empty()) {
      if (!view.queue_available) {
        st.status = "pending";
        st.detail = "job " + task_id + " (" + view.queue_note + ")";
      } else {
        st.status = "failed";
        st.detail = "job " + task_id + " ended before its task started; see " + run.log_file(s).string();
        st.state["error"] = st.detail;
      }
    } else {
      st.status = "not submitted";
    }
    view.subjects.push_back(st);
  }
  return view;
}

// "mcinr cohort <command> RUN [options]": adds --help and the RUN positional
// to options, parses, and opens the run folder. False for --help.
bool parse_run_command(const std::vector<std::string>& args, po::options_description& options, Run& run) {
  std::string dir;
  options.add_options()("help,h", "show this help")("run", po::value(&dir)->required(), "run folder");
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_command(options, args, vm, &positional)) return false;
  run = open_run(dir);
  return true;
}

// ---------------------------------------------------------------- plan

int cohort_plan(const std::vector<std::string>& args) {
  std::string root, contrasts, config, out;
  po::options_description options(
      "mcinr cohort plan: a run folder with a manifest and a Slurm job array script for every subject under --root");
  options.add_options()("help,h", "show this help")
      ("root", po::value(&root)->required(), "folder holding the subject folders (reference naming)")
      ("contrasts", po::value(&contrasts)->required(), "the two contrasts, e.g. t1c,t2f")
      ("config", po::value(&config), "INI file: mcinr fit options, and a [slurm] section for the batch script")
      ("out", po::value(&out)->required(), "run folder to create");
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  const auto comma = contrasts.find(',');
  require(comma != std::string::npos && comma > 0 && comma + 1 < contrasts.size() &&
              contrasts.find(',', comma + 1) == std::string::npos,
          "--contrasts needs two names: c1,c2");
  const fs::path dir = absolute(out);
  require(!fs::exists(dir / "manifest.csv"), out + ": already holds a cohort plan; choose another --out");

  slurm::BatchSettings batch;
  bool config_gives_grid = false;
  if (!config.empty()) {
    config_gives_grid = check_fit_config(config);
    batch = slurm::read_batch_settings(config);
  }
  if (batch.mcinr.empty()) batch.mcinr = this_executable();
  std::vector<std::string> warnings;
  const auto subjects = cohort::find_subjects(root, contrasts.substr(0, comma), contrasts.substr(comma + 1),
                                              (dir / "fits").string(), warnings);
  if (!config_gives_grid)
    for (const auto& s : subjects)
      if (!fs::exists(fs::path(s.folder) / (s.id + "_" + contrasts.substr(0, comma) + ".nii.gz")))
        warnings.push_back("subject " + s.id + " has no ground truth to take the output grid from, and " +
                           (config.empty() ? std::string("there is no --config") : config) +
                           " sets no 'spacing' (or 'reference'): its task will fail");
  if (subjects.size() > 1000)
    warnings.push_back(std::to_string(subjects.size()) + " subjects: array indices above 1000 need a MaxArraySize "
                       "above Slurm's default (1001) on your cluster");

  try {
    for (const char* sub : {"", "state", "logs", "fits"}) fs::create_directories(dir / sub);
  } catch (const fs::filesystem_error& e) {
    throw UsageError(out + ": cannot create the run folder (" + e.code().message() + ")");
  }
  require(::access(dir.c_str(), W_OK) == 0, out + ": the run folder is not writable");

  io::TextTable manifest;
  manifest.columns = manifest_columns;
  for (const auto& s : subjects)
    manifest.rows.push_back({std::to_string(s.index), s.id, s.folder, s.image1, s.image2, s.out});
  io::Record plan = {{"root", absolute(root)},
                     {"contrasts", contrasts},
                     {"mcinr", batch.mcinr},
                     {"created", now_utc()},
                     {"subjects", std::to_string(subjects.size())},
                     {"version", std::string(MCINR_VERSION_STRING) + " (" + MCINR_GIT_HASH + ")"}};
  if (!config.empty()) {
    // The tasks read a copy, so later edits to the original change nothing mid-cohort.
    const fs::path copy = dir / "fit.ini";
    io::write_file_atomically(copy.string(), io::read_text_file(config));
    plan["config"] = copy.string();
  }
  const std::string job_name = "mcinr-" + dir.filename().string();
  io::write_file_atomically((dir / "cohort.sbatch").string(), slurm::batch_script(batch, dir.string(), job_name, fs::current_path().string()));
  io::write_csv((dir / "manifest.csv").string(), manifest);
  io::write_record((dir / "plan.ini").string(), plan, "written by mcinr cohort plan; the tasks read it");

  for (const auto& w : warnings) std::cerr << "mcinr: warning: " << w << '\n';
  std::printf("planned %zu subject%s (%s) in %s:\n  manifest.csv, cohort.sbatch%s\n", subjects.size(),
              subjects.size() == 1 ? "" : "s", contrasts.c_str(), dir.c_str(), config.empty() ? "" : ", fit.ini");
  for (const auto& s : subjects) std::printf("  %4d  %s  %s\n", s.index, s.id.c_str(), s.folder.c_str());
  std::printf("next: mcinr cohort submit %s\n", dir.c_str());
  return 0;
}

// ---------------------------------------------------------------- submit

int cohort_submit(const std::vector<std::string>& args) {
  bool dry_run = false;
  po::options_description options(
      "mcinr cohort submit RUN: sbatch the job array for the subjects that are not done and not queued");
  options.add_options()("dry-run", po::bool_switch(&dry_run), "print what would be submitted");
  Run run;
  if (!parse_run_command(args, options, run)) return 0;
  const CohortView view = view_cohort(run);
  require(view.queue_available, "cannot see Slurm's queue (" + view.queue_note + "): nothing submitted");
  std::vector<int> indices;
  int done = 0, queued = 0;
  for (std::size_t i = 0; i < run.subjects.size(); ++i) {
    const std::string& status = view.subjects[i].status;
    if (status == "done")
      ++done;
    else if (status == "running" || status == "pending")
      ++queued;
    else
      indices.push_back(run.subjects[i].index);
  }
  if (indices.empty()) {
    std::printf("nothing to submit: %d done, %d queued or running, of %zu subjects\n", done, queued,
                run.subjects.size());
    return 0;
  }
  const std::string ranges = slurm::array_ranges(indices);
  if (dry_run) {
    std::printf("would submit array tasks %s (%zu subject%s; %d done, %d queued)\n", ranges.c_str(),
                indices.size(), indices.size() == 1 ? "" : "s", done, queued);
    return 0;
  }
  const slurm::BatchSettings batch =
      run.plan.count("config") ? slurm::read_batch_settings(run.plan.at("config")) : slurm::BatchSettings{};
  const std::string job = slurm::submit_array((run.dir / "cohort.sbatch").string(), ranges, batch.max_parallel);
  io::TextTable jobs;
  const fs::path jobs_path = run.dir / "jobs.csv";
  if (fs::exists(jobs_path))
    jobs = io::read_csv(jobs_path.string());
  else
    jobs.columns = {"job", "submitted", "tasks"};
  jobs.rows.push_back({job, now_utc(), ranges});
  io::write_csv(jobs_path.string(), jobs);
  std::printf("submitted job %s: array tasks %s (%zu subject%s; %d done and skipped, %d already queued)\n",
              job.c_str(), ranges.c_str(), indices.size(), indices.size() == 1 ? "" : "s", done, queued);
  return 0;
}

// ---------------------------------------------------------------- status

int cohort_status(const std::vector<std::string>& args) {
  po::options_description options("mcinr cohort status RUN: done, running, pending and failed per subject");
  Run run;
  if (!parse_run_command(args, options, run)) return 0;
  const CohortView view = view_cohort(run);
  std::map<std::string, int> counts;
  for (const auto& s : view.subjects) ++counts[s.status];
  std::string tally;
  for (const char* name : {"done", "running", "pending", "failed", "interrupted", "not submitted"})
    if (counts[name]) tally += (tally.empty() ? " " : ", ") + std::to_string(counts[name]) + " " + name;
  std::printf("cohort %s: %zu subject%s:%s\n", run.dir.c_str(), run.subjects.size(),
              run.subjects.size() == 1 ? "" : "s", tally.c_str());
  if (!view.queue_available) std::printf("(Slurm's queue not seen: %s)\n", view.queue_note.c_str());
  std::size_t width = 7;
  for (const auto& s : run.subjects) width = std::max(width, s.id.size());
  std::printf("%5s  %-*s  %-13s  %s\n", "index", int(width), "subject", "status", "detail");
  for (std::size_t i = 0; i < run.subjects.size(); ++i)
    std::printf("%5d  %-*s  %-13s  %s\n", run.subjects[i].index, int(width), run.subjects[i].id.c_str(),
                view.subjects[i].status.c_str(), view.subjects[i].detail.c_str());
  return 0;
}

// ---------------------------------------------------------------- collect

std::string mean_std_text(const std::vector<double>& values, const char* format) {
  const cohort::MeanStd m = cohort::mean_std(values);
  if (m.n == 0) return "-";
  return number(m.mean, format) + " ± " + number(m.std, format);
}

int cohort_collect(const std::vector<std::string>& args) {
  po::options_description options("mcinr cohort collect RUN: cohort.csv (a row per subject) and cohort.md (mean ± std per contrast)");
  Run run;
  if (!parse_run_command(args, options, run)) return 0;
  const CohortView view = view_cohort(run);

  io::TextTable table;
  table.columns = {"index", "subject", "status", "epochs", "stop_reason", "seconds", "attempts", "resumed_at"};
  for (const auto& m : metric_names) table.columns.push_back(m);
  for (const auto& b : baseline_names)
    for (const auto& m : baseline_metrics) table.columns.push_back(b + "_" + m);
  table.columns.push_back("error");
  std::map<std::string, std::vector<double>> done_values;  // column -> values over done subjects
  std::map<std::string, int> counts;
  std::vector<std::string> failures, unfinished;
  for (std::size_t i = 0; i < run.subjects.size(); ++i) {
    const SubjectEntry& s = run.subjects[i];
    const SubjectStatus& st = view.subjects[i];
    io::Record state = st.state;
    ++counts[st.status];
    const bool done = st.status == "done";
    std::vector<std::string> row = {std::to_string(s.index), s.id, st.status};
    for (const char* key : {"epochs", "stop_reason", "seconds", "attempts", "resumed_at"})
      row.push_back(done || std::string(key) == "attempts" || std::string(key) == "resumed_at" ? state[key] : "");
    for (const auto& m : metric_names) row.push_back(done ? state["metric." + m] : "");
    for (const auto& b : baseline_names)
      for (const auto& m : baseline_metrics) row.push_back(done ? state["baseline." + b + "." + m] : "");
    row.push_back(st.status == "failed" ? st.detail : "");
    if (done) {
      for (std::size_t c = 3; c + 1 < table.columns.size(); ++c)
        done_values[table.columns[c]].push_back(parse_number(row[c]));
    } else if (st.status == "failed") {
      failures.push_back(s.id + " (index " + std::to_string(s.index) + "): " + st.detail);
    } else {
      unfinished.push_back(s.id + " (index " + std::to_string(s.index) + "): " + st.status +
                           (st.detail.empty() ? "" : ", " + st.detail));
    }
    table.rows.push_back(row);
  }
  io::write_csv((run.dir / "cohort.csv").string(), table);

  const std::string c1 = run.contrast(0), c2 = run.contrast(1);
  std::ostringstream md;
  md << "# Cohort " << run.dir.filename().string() << "\n\n"
     << run.subjects.size() << " subjects: " << counts["done"] << " done, " << counts["failed"] << " failed";
  for (const char* other : {"running", "pending", "interrupted", "not submitted"})
    if (counts[other]) md << ", " << counts[other] << " " << other;
  md << " (collected " << now_utc() << "). Contrasts: 1 = " << c1 << ", 2 = " << c2 << ".\n"
     << "Mean ± sample standard deviation (n - 1) over the " << counts["done"]
     << " done subjects; PSNR in dB, MI in nats; per subject: cohort.csv.\n\n";
  const bool with_gt = cohort::mean_std(done_values["psnr1"]).n > 0;
  if (with_gt) {
    md << "| method | PSNR " << c1 << " | SSIM " << c1 << " | PSNR " << c2 << " | SSIM " << c2 << " |\n"
       << "|---|---|---|---|---|\n";
    const std::pair<std::string, std::string> methods[] = {
        {"linear_", "linear interpolation"}, {"bspline_", "cubic B-spline"}, {"", "mcinr"}};
    for (const auto& [prefix, label] : methods) {
      if (cohort::mean_std(done_values[prefix + "psnr1"]).n == 0) continue;
      md << "| " << label << " | " << mean_std_text(done_values[prefix + "psnr1"], "%.2f") << " | "
         << mean_std_text(done_values[prefix + "ssim1"], "%.4f") << " | "
         << mean_std_text(done_values[prefix + "psnr2"], "%.2f") << " | "
         << mean_std_text(done_values[prefix + "ssim2"], "%.4f") << " |\n";
    }
    md << "\n| mcinr | " << c1 << " | " << c2 << " |\n|---|---|---|\n"
       << "| MI error, \\|MI(pred, other gt) - MI(gt1, gt2)\\| | " << mean_std_text(done_values["mi_err1"], "%.4f")
       << " | " << mean_std_text(done_values["mi_err2"], "%.4f") << " |\n\n";
  }
  md << "| | MI(pred1, pred2) | MI(gt1, gt2) | epochs | seconds |\n|---|---|---|---|---|\n"
     << "| mcinr | " << mean_std_text(done_values["mi_pred"], "%.4f") << " | "
     << mean_std_text(done_values["mi_gt"], "%.4f") << " | " << mean_std_text(done_values["epochs"], "%.1f") << " | "
     << mean_std_text(done_values["seconds"], "%.0f") << " |\n";
  if (!failures.empty()) {
    md << "\n## Failed\n\n";
    for (const auto& f : failures) md << "- " << f << "\n";
  }
  if (!unfinished.empty()) {
    md << "\n## Not finished\n\n";
    for (const auto& u : unfinished) md << "- " << u << "\n";
  }
  io::write_file_atomically((run.dir / "cohort.md").string(), md.str());
  std::cout << md.str() << "\nwrote " << (run.dir / "cohort.csv").string() << " and "
            << (run.dir / "cohort.md").string() << '\n';
  return 0;
}

// ---------------------------------------------------------------- task

const char* signal_name(int signal) {
  switch (signal) {
    case SIGTERM: return "TERM";
    case SIGUSR1: return "USR1";
    default: return "?";
  }
}

int cohort_task(const std::vector<std::string>& args) {
  std::string dir;
  int index = 0;
  po::options_description options(
      "mcinr cohort task RUN INDEX: fit one subject of a cohort (what each array task runs; also by hand)");
  options.add_options()("help,h", "show this help")("run", po::value(&dir)->required(), "run folder")
      ("index", po::value(&index)->required(), "the subject's index in manifest.csv");
  po::positional_options_description positional;
  positional.add("run", 1).add("index", 1);
  po::variables_map vm;
  if (!parse_command(options, args, vm, &positional)) return 0;
  catch_stop_signals();
  const auto started = std::chrono::steady_clock::now();
  const Run run = open_run(dir);
  const auto found = std::find_if(run.subjects.begin(), run.subjects.end(),
                                  [&](const SubjectEntry& s) { return s.index == index; });
  require(found != run.subjects.end(), dir + ": no subject with index " + std::to_string(index) + " in manifest.csv");
  const SubjectEntry& subject = *found;

  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  const std::string job = env("SLURM_ARRAY_JOB_ID").empty() ? env("SLURM_JOB_ID")
                                                              : env("SLURM_ARRAY_JOB_ID") + "_" + env("SLURM_ARRAY_TASK_ID");
  io::Record state = read_state(run, subject);
  const fs::path checkpoint = fs::path(subject.out) / "checkpoint.h5";
  if (state["state"] == "done" && fs::exists(checkpoint)) {
    std::printf("mcinr cohort task %d (%s): done already (%s); nothing to do\n", subject.index, subject.id.c_str(),
                run.state_file(subject).c_str());
    return 0;
  }
  const int attempts = (state.count("attempts") ? std::atoi(state["attempts"].c_str()) : 0) + 1;
  const double seconds_before = state.count("seconds") ? parse_number(state["seconds"]) : 0.0;
  state = {{"subject", subject.id},
           {"index", std::to_string(subject.index)},
           {"attempts", std::to_string(attempts)},
           {"seconds", number(std::isfinite(seconds_before) ? seconds_before : 0.0, "%.1f")},
           {"resumed_at", state.count("resumed_at") ? state["resumed_at"] : ""}};
  state["job"] = job.empty() ? "local" : job;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  state["host"] = host;
  state["restarts"] = env("SLURM_RESTART_COUNT").empty() ? "0" : env("SLURM_RESTART_COUNT");
  state["started"] = now_utc();

  // Where a checkpoint is, the fit resumes from it: note where.
  if (fs::exists(checkpoint)) {
    try {
      const io::Checkpoint c = io::read_checkpoint(checkpoint.string());
      if (c.stop_reason.empty())
        state["resumed_at"] = "epoch " + std::to_string(c.epochs_done + (c.next_batch ? 1 : 0)) +
                              (c.next_batch ? " batch " + std::to_string(c.next_batch) : " end");
    } catch (const std::exception&) {
      // The fit reports a broken checkpoint as its error.
    }
  }
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auto save = [&](const std::string& what) {
    state["state"] = what;
    state["updated"] = now_utc();
    state["seconds"] = number((std::isfinite(seconds_before) ? seconds_before : 0.0) + elapsed(), "%.1f");
    io::write_record(run.state_file(subject).string(), state, "mcinr cohort task state of " + subject.id);
  };
  save("running");
  std::printf("mcinr cohort task %d (%s) on %s, job %s, attempt %d%s\n", subject.index, subject.id.c_str(), host,
              state["job"].c_str(), attempts,
              state["resumed_at"].empty() ? "" : (", resuming at " + state["resumed_at"]).c_str());
  std::fflush(stdout);

  std::vector<std::string> fit_args = {"--subject", subject.folder, "--contrasts", run.plan.at("contrasts"),
                                       "--out",     subject.out,    "--resume"};
  if (run.plan.count("config")) {
    fit_args.push_back("--config");
    fit_args.push_back(run.plan.at("config"));
  }
  FitOutcome outcome;
  int status = 0;
  try {
    status = run_fit(fit_args, &outcome);
  } catch (const std::exception& e) {
    const bool usage = dynamic_cast<const UsageError*>(&e) != nullptr;
    state["error"] = e.what();
    save("failed");
    std::cerr << "mcinr: error: " << e.what() << '\n';
    return usage ? 2 : 1;
  }
  if (status == exit_interrupted) {
    const int signal = stop_signal();
    state["signal"] = signal_name(signal);
    state["checkpoint"] = outcome.next_batch ? "epoch " + std::to_string(outcome.epochs_done + 1) + " batch " +
                                                   std::to_string(outcome.next_batch)
                                             : "epoch " + std::to_string(outcome.epochs_done) + " end";
    // SIGUSR1 is the time-limit warning: nothing requeues the task but itself.
    // SIGTERM comes with preemption or requeue (Slurm requeues) or scancel.
    if (signal == SIGUSR1 && !job.empty()) {
      const std::string failed = slurm::requeue(job);
      state["requeue"] = failed.empty() ? "requested" : "failed: " + failed;
      std::printf("requeue of %s: %s\n", job.c_str(), failed.empty() ? "requested" : failed.c_str());
    }
    save("interrupted");
    return exit_interrupted;
  }
  state["epochs"] = std::to_string(outcome.epochs_done);
  state["stop_reason"] = outcome.stop_reason;
  for (const auto& [name, value] : outcome.final_metrics) state["metric." + name] = number(value);
  for (const auto& [method, scores] : outcome.baselines)
    for (const auto& [name, value] : scores) state["baseline." + method + "." + name] = number(value);
  save("done");
  return 0;
}

}  // namespace

int run_cohort(const std::vector<std::string>& args) {
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {
      {"plan", cohort_plan},     {"submit", cohort_submit}, {"status", cohort_status},
      {"collect", cohort_collect}, {"task", cohort_task}};
  const std::string usage =
      "usage: mcinr cohort <plan|submit|status|collect|task> ...   (mcinr cohort <command> --help)";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage << "\n"
              << "  plan     find the subject folders under --root; write a manifest and a Slurm job array script\n"
                 "  submit   sbatch the array for every subject not done and not queued\n"
                 "  status   done, running, pending and failed per subject\n"
                 "  collect  cohort.csv (a row per subject) and cohort.md (mean ± std per contrast)\n"
                 "  task     fit one subject (what each array task runs)\n";
    return args.empty() ? 2 : 0;
  }
  const auto found = commands.find(args[0]);
  require(found != commands.end(), "unknown cohort command '" + args[0] + "' (" + usage + ")");
  return found->second(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace mcinr::drivers
