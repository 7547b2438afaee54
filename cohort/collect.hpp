#pragma once
// One table for a cohort: cohort.csv (a row per subject: status, epochs,
// seconds, attempts, the final scores, the interpolation scores, the error),
// cohort.md (mean ± sample std per contrast over the done subjects, as
// the paper's tables, with the failures listed), and report.html (the same
// tables and a row per subject with a thumbnail of its slices.png, linking
// to the fit's own report.html where there is one; io/report.hpp).
#include <string>
#include <vector>

#include "mcinr/cohort/run_folder.hpp"

namespace mcinr::cohort {

// Mean and sample standard deviation (n - 1; 0 for one value) of the finite values.
struct MeanStd {
  double mean = 0, std = 0;
  int n = 0;
};
MeanStd mean_std(const std::vector<double>& values);

struct CollectResult {
  std::string csv, markdown, html;  // paths
  std::string summary;              // cohort.md's text
};
CollectResult collect_cohort(const Run& run);

}  // namespace mcinr::cohort
