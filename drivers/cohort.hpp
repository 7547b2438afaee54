#pragma once
// `mcinr cohort`: many subjects, one Slurm job array. The run folder holds
// everything (layout: docs/hpc.md): plan.ini, manifest.csv, cohort.sbatch,
// jobs.csv, state/<subject>.txt, logs/task-<index>.log, fits/<subject>/,
// and after collect cohort.csv and cohort.md.
#include <string>
#include <vector>

namespace mcinr::drivers {

// mcinr cohort plan|submit|status|collect|task ...
int run_cohort(const std::vector<std::string>& args);

namespace cohort {

struct SubjectEntry {
  int index = 0;  // array index, from 1
  std::string id, folder, image1, image2, out;
};

// Every subject folder under root in the reference's naming: a folder with
// one <id>_<c1>_LR.nii.gz. Sorted by folder; indices from 1; out is
// fits_dir/<id>. Warns (into warnings) of a subject without its c2 scan: its
// task will fail with that error line. Throws UsageError where none is found,
// a folder holds two subjects or two folders the same id.
std::vector<SubjectEntry> find_subjects(const std::string& root, const std::string& c1, const std::string& c2,
                                        const std::string& fits_dir, std::vector<std::string>& warnings);

// Mean and sample standard deviation (n - 1; 0 for one value) of the finite values.
struct MeanStd {
  double mean = 0, std = 0;
  int n = 0;
};
MeanStd mean_std(const std::vector<double>& values);

}  // namespace cohort
}  // namespace mcinr::drivers
