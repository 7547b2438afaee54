#pragma once
#include <map>
#include <string>
#include <vector>

namespace mcinr::drivers {

// What a fit ended with, for callers that run fits in-process (mcinr cohort).
struct FitOutcome {
  int epochs_done = 0;
  unsigned long long next_batch = 0;  // > 0: interrupted inside epoch epochs_done + 1, at this batch
  std::string stop_reason;  // "epochs" or "mi"; empty where the fit did not finish
  double seconds = 0;       // this process's fitting time
  // The last scored epoch's metrics by metrics.csv column (mi_pred, and
  // psnr1 ssim1 psnr2 ssim2 mi_gt mi_err1 mi_err2 with ground truth).
  std::map<std::string, double> final_metrics;
  // Interpolation scores with ground truth: "linear" / "bspline" -> psnr1 ...
  std::map<std::string, std::map<std::string, double>> baselines;
};

// `mcinr fit`: one subject, two low-resolution scans, one field. Returns the
// exit status (0, or exit_interrupted after a stop signal); fills outcome
// where given and the fit got that far.
int run_fit(const std::vector<std::string>& args, FitOutcome* outcome = nullptr);

// Checks a fit config file (INI) as `mcinr fit --config` would read it;
// throws UsageError naming the file and the bad key. Returns whether it
// gives an output grid (spacing or reference), which subjects without
// ground truth need.
bool check_fit_config(const std::string& path);

}  // namespace mcinr::drivers
