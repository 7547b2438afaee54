#pragma once
// A cohort's run folder (layout: docs/hpc.md): plan.ini, manifest.csv,
// cohort.sbatch, a copy of the config as fit.ini, jobs.csv, state/<subject>.txt,
// logs/task-<index>.log, fits/<subject>/, and after collect cohort.csv and
// cohort.md. Planning it, opening it, and its job list.
#include <filesystem>
#include <string>
#include <vector>

#include "mcinr/io/text_files.hpp"

namespace mcinr::cohort {

struct SubjectEntry {
  int index = 0;  // array index, from 1
  std::string id, folder, image1, image2, out;
};

// The first of a finished fit's outputs (pipeline::missing_fit_output) or its
// checkpoint missing from the subject's out folder; "" where all are there.
// A subject counts as done only with all of them.
std::string missing_output(const SubjectEntry& subject);

// Every subject folder under root in the reference's naming: a folder with
// one <id>_<c1>_LR.nii.gz. Sorted by folder; indices from 1; out is
// fits_dir/<id>. Warns (into warnings) of a subject without its c2 scan: its
// task will fail with that error line. InputError where none is found, a
// folder holds two subjects or two folders the same id.
std::vector<SubjectEntry> find_subjects(const std::string& root, const std::string& c1, const std::string& c2,
                                        const std::string& fits_dir, std::vector<std::string>& warnings);

struct Run {
  std::filesystem::path dir;
  io::Record plan;
  std::vector<SubjectEntry> subjects;

  std::filesystem::path state_file(const SubjectEntry& s) const;
  std::filesystem::path log_file(const SubjectEntry& s) const;
  std::string contrasts() const;                 // "c1,c2"
  std::string contrast(int c) const;             // c1 or c2
  std::string config() const;                    // the fit.ini copy, or ""
  const SubjectEntry& subject(int index) const;  // InputError where absent
};

// InputError where dir is not a run folder or a file of it is broken.
Run open_run(const std::string& dir);

struct PlanRequest {
  std::string root, contrasts, config, out;
};
struct PlanResult {
  Run run;
  std::vector<std::string> warnings;
};
// Finds the subjects, checks the config, and writes the run folder.
PlanResult plan_cohort(const PlanRequest& request);

struct JobRecord {
  std::string job, submitted;
  std::vector<int> tasks;
};
std::vector<JobRecord> read_jobs(const Run& run);
void append_job(const Run& run, const std::string& job, const std::string& ranges);

// The absolute, normal form of a path.
std::string absolute_path(const std::string& path);

}  // namespace mcinr::cohort
