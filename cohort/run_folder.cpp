#include "mcinr/cohort/run_folder.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "mcinr/cohort/slurm.hpp"
#include "mcinr/cohort/task_state.hpp"
#include "mcinr/io/atomic_file.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/subject_fit.hpp"
#include "mcinr/pipeline/fit_config.hpp"
#include "mcinr/pipeline/subject_layout.hpp"
#include "mcinr/version.hpp"

namespace fs = std::filesystem;

namespace mcinr::cohort {

using pipeline::InputError;
using pipeline::require;
using pipeline::SubjectNames;

namespace {

const std::vector<std::string> manifest_columns = {"index", "subject", "folder", "image1", "image2", "out"};

std::string this_executable() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("mcinr") : self.string();
}

// Whether a file lies inside a CMake build tree (a folder above it holds
// CMakeCache.txt): a rebuild there would change a running cohort's binary.
bool in_build_tree(const fs::path& file) {
  std::error_code ec;
  for (fs::path dir = file.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
    if (fs::exists(dir / "CMakeCache.txt", ec)) return true;
  return false;
}

// The first executable named mcinr on PATH ("" where none).
std::string mcinr_on_path() {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::string list = path;
  for (std::size_t start = 0; start <= list.size();) {
    const std::size_t end = std::min(list.find(':', start), list.size());
    const fs::path candidate = fs::path(list.substr(start, end - start)) / "mcinr";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate))
      return fs::absolute(candidate).lexically_normal().string();
    start = end + 1;
  }
  return "";
}

// The mcinr the tasks run where the config names none: this one when it is
// installed; run from a build tree, an installed mcinr on PATH where there
// is one (a warning says which), else this one with a warning.
std::string executable_for_tasks(std::vector<std::string>& warnings) {
  const std::string self = this_executable();
  if (!in_build_tree(self)) return self;
  const std::string installed = mcinr_on_path();
  std::error_code ec;
  if (!installed.empty() && !in_build_tree(installed) && !fs::equivalent(installed, self, ec)) {
    warnings.push_back("the tasks will run the installed " + installed + ", not this build tree's " + self +
                       " (set [slurm] mcinr = PATH in the config to choose)");
    return installed;
  }
  warnings.push_back("the tasks will run " + self +
                     " from a build tree: a rebuild there changes a running cohort's binary; install mcinr "
                     "(cmake --install) or set [slurm] mcinr = PATH in the config");
  return self;
}

int parse_index(const std::string& text, const std::string& origin) {
  const double v = parse_number(text);
  require(std::isfinite(v) && v >= 1 && v <= 1e7 && v == double(int(v)), origin + ": '" + text + "' is not an index");
  return int(v);
}

}  // namespace

std::string absolute_path(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

std::vector<SubjectEntry> find_subjects(const std::string& root, const std::string& c1, const std::string& c2,
                                        const std::string& fits_dir, std::vector<std::string>& warnings) {
  require(fs::is_directory(root), root + ": no such folder");
  std::map<std::string, std::string> id_of_folder;  // sorted by folder
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string id = SubjectNames::id_of_scan(it->path().filename().string(), c1);
    if (id.empty()) continue;
    const std::string folder = absolute_path(it->path().parent_path().string());
    const auto [found, inserted] = id_of_folder.emplace(folder, id);
    require(inserted, folder + ": holds more than one subject (" + found->second + ", " + id +
                          "): give each subject a folder of its own");
  }
  require(!ec, root + ": cannot list (" + ec.message() + ")");
  require(!id_of_folder.empty(),
          root + ": no subject folders (no file named <id>" + SubjectNames::scan("", c1) + " below it)");
  std::vector<SubjectEntry> subjects;
  std::map<std::string, std::string> folder_of_id;
  for (const auto& [folder, id] : id_of_folder) {
    const auto [other, inserted] = folder_of_id.emplace(id, folder);
    require(inserted, "two subject folders with the id " + id + ": " + other->second + " and " + folder);
    SubjectEntry s;
    s.index = int(subjects.size()) + 1;
    s.id = id;
    s.folder = folder;
    s.image1 = (fs::path(folder) / SubjectNames::scan(id, c1)).string();
    s.image2 = (fs::path(folder) / SubjectNames::scan(id, c2)).string();
    s.out = (fs::path(fits_dir) / id).string();
    if (!fs::exists(s.image2))
      warnings.push_back("subject " + id + " has no " + c2 + " scan (" + s.image2 + "): its task will fail");
    subjects.push_back(s);
  }
  return subjects;
}

fs::path Run::state_file(const SubjectEntry& s) const { return dir / "state" / (s.id + ".txt"); }
fs::path Run::log_file(const SubjectEntry& s) const {
  return dir / "logs" / ("task-" + std::to_string(s.index) + ".log");
}
std::string Run::contrasts() const { return plan.at("contrasts"); }
std::string Run::contrast(int c) const { return pipeline::split_contrasts(contrasts())[c]; }
std::string Run::config() const {
  const auto found = plan.find("config");
  return found == plan.end() ? std::string() : found->second;
}
const SubjectEntry& Run::subject(int index) const {
  const auto found =
      std::find_if(subjects.begin(), subjects.end(), [&](const SubjectEntry& s) { return s.index == index; });
  require(found != subjects.end(),
          dir.string() + ": no subject with index " + std::to_string(index) + " in manifest.csv");
  return *found;
}

Run open_run(const std::string& dir) {
  Run run;
  run.dir = absolute_path(dir);
  const fs::path plan = run.dir / "plan.ini", manifest = run.dir / "manifest.csv";
  require(fs::exists(plan) && fs::exists(manifest),
          dir + ": not a cohort run folder (no plan.ini / manifest.csv; make one with mcinr cohort plan)");
  try {
    run.plan = io::read_record(plan.string());
    for (const char* key : {"contrasts", "mcinr"})
      if (!run.plan.count(key)) throw std::runtime_error(plan.string() + ": no '" + key + "' entry");
    pipeline::split_contrasts(run.plan.at("contrasts"), plan.string() + ": contrasts");
    const io::TextTable table = io::read_csv(manifest.string());
    std::vector<std::size_t> at;
    for (const auto& name : manifest_columns) at.push_back(table.column(name));
    for (const auto& row : table.rows) {
      SubjectEntry s;
      s.index = parse_index(row[at[0]], manifest.string());
      s.id = row[at[1]];
      require(pipeline::valid_subject_id(s.id), manifest.string() + ": '" + s.id + "' is not a subject id");
      s.folder = row[at[2]];
      s.image1 = row[at[3]];
      s.image2 = row[at[4]];
      s.out = row[at[5]];
      run.subjects.push_back(s);
    }
  } catch (const std::exception& e) {
    throw InputError(dir + ": broken run folder: " + e.what());
  }
  return run;
}

std::string missing_output(const SubjectEntry& subject) {
  const std::string missing = pipeline::missing_fit_output(subject.out);
  if (!missing.empty()) return missing;
  const fs::path checkpoint = fs::path(subject.out) / "checkpoint.h5";
  return fs::is_regular_file(checkpoint) ? "" : checkpoint.string();
}

PlanResult plan_cohort(const PlanRequest& r) {
  const auto names = pipeline::split_contrasts(r.contrasts);
  const fs::path dir = absolute_path(r.out);
  // The batch script names the run folder and the working folder in
  // #SBATCH lines: a line break there would start a shell line.
  for (const std::string& path : {dir.string(), fs::current_path().string()})
    require(slurm::nameable_in_batch_script(path),
            "the run folder's path (--out) or the folder mcinr runs in holds a double quote or a control "
            "character such as a line break: the batch script could not name it safely");
  require(!fs::exists(dir / "manifest.csv"), r.out + ": already holds a cohort plan; choose another --out");
  slurm::BatchSettings batch;
  bool config_gives_grid = false;
  if (!r.config.empty()) {
    config_gives_grid = pipeline::config_file_gives_grid(r.config);
    batch = slurm::read_batch_settings(r.config);
  }
  PlanResult result;
  if (batch.mcinr.empty()) batch.mcinr = executable_for_tasks(result.warnings);
  const auto subjects = find_subjects(r.root, names[0], names[1], (dir / "fits").string(), result.warnings);
  if (!config_gives_grid)
    for (const auto& s : subjects)
      if (!fs::exists(fs::path(s.folder) / SubjectNames::ground_truth(s.id, names[0])))
        result.warnings.push_back("subject " + s.id + " has no ground truth to take the output grid from, and " +
                                  (r.config.empty() ? std::string("there is no --config") : r.config) +
                                  " sets no 'spacing' (or 'reference'): its task will fail");
  if (subjects.size() > 1000)
    result.warnings.push_back(std::to_string(subjects.size()) +
                              " subjects: array indices above 1000 need a MaxArraySize above Slurm's default "
                              "(1001) on your cluster");
  try {
    for (const char* sub : {"", "state", "logs", "fits"}) fs::create_directories(dir / sub);
  } catch (const fs::filesystem_error& e) {
    throw InputError(r.out + ": cannot create the run folder (" + e.code().message() + ")");
  }
  require(::access(dir.c_str(), W_OK) == 0, r.out + ": the run folder is not writable");

  io::TextTable manifest;
  manifest.columns = manifest_columns;
  for (const auto& s : subjects)
    manifest.rows.push_back({std::to_string(s.index), s.id, s.folder, s.image1, s.image2, s.out});
  io::Record plan = {{"root", absolute_path(r.root)},
                     {"contrasts", r.contrasts},
                     {"mcinr", batch.mcinr},
                     {"created", now_utc()},
                     {"subjects", std::to_string(subjects.size())},
                     {"version", std::string(MCINR_VERSION_STRING) + " (" + MCINR_GIT_HASH + ")"}};
  if (!r.config.empty()) {
    // The tasks read a copy, so later edits to the original change nothing mid-cohort.
    const fs::path copy = dir / "fit.ini";
    io::write_file_atomically(copy.string(), io::read_text_file(r.config));
    plan["config"] = copy.string();
  }
  const std::string job_name = batch.job_name.empty() ? "mcinr-" + dir.filename().string() : batch.job_name;
  io::write_file_atomically((dir / "cohort.sbatch").string(),
                            slurm::batch_script(batch, dir.string(), job_name, fs::current_path().string()));
  io::write_csv((dir / "manifest.csv").string(), manifest);
  io::write_record((dir / "plan.ini").string(), plan, "written by mcinr cohort plan; the tasks read it");
  result.run.dir = dir;
  result.run.plan = plan;
  result.run.subjects = subjects;
  return result;
}

std::vector<JobRecord> read_jobs(const Run& run) {
  std::vector<JobRecord> jobs;
  const fs::path path = run.dir / "jobs.csv";
  if (!fs::exists(path)) return jobs;
  try {
    const io::TextTable table = io::read_csv(path.string());
    const std::size_t job = table.column("job"), submitted = table.column("submitted"), tasks = table.column("tasks");
    for (const auto& row : table.rows) {
      JobRecord r{row[job], row[submitted], {}};
      std::istringstream ranges(row[tasks]);  // "1-3,5"
      std::string range;
      while (std::getline(ranges, range, ',')) {
        const auto dash = range.find('-');
        const int lo = parse_index(range.substr(0, dash), path.string());
        const int hi = dash == std::string::npos ? lo : parse_index(range.substr(dash + 1), path.string());
        require(hi >= lo && hi - lo <= 1000000, path.string() + ": bad task range '" + range + "'");
        for (int i = lo; i <= hi; ++i) r.tasks.push_back(i);
      }
      jobs.push_back(r);
    }
  } catch (const std::exception& e) {
    throw InputError(run.dir.string() + ": broken run folder: " + e.what());
  }
  return jobs;
}

void append_job(const Run& run, const std::string& job, const std::string& ranges) {
  io::TextTable jobs;
  const fs::path path = run.dir / "jobs.csv";
  if (fs::exists(path))
    jobs = io::read_csv(path.string());
  else
    jobs.columns = {"job", "submitted", "tasks"};
  jobs.rows.push_back({job, now_utc(), ranges});
  io::write_csv(path.string(), jobs);
}

}  // namespace mcinr::cohort
