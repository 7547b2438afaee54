#include "mcinr/cohort/collect.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include "mcinr/cohort/status.hpp"
#include "mcinr/io/atomic_file.hpp"

namespace mcinr::cohort {

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

namespace {

const std::vector<std::string> baseline_names = {"linear", "bspline"};
const std::vector<std::string> baseline_metrics = {"psnr1", "ssim1", "psnr2", "ssim2"};

std::string mean_std_text(const std::vector<double>& values, const char* format) {
  const MeanStd m = mean_std(values);
  if (m.n == 0) return "-";
  return number_text(m.mean, format) + " ± " + number_text(m.std, format);
}

std::string named_value(const pipeline::Scores& scores, const std::string& name) {
  const auto named = scores.named();
  const auto found = named.find(name);
  return found == named.end() ? std::string() : number_text(found->second);
}

}  // namespace

CollectResult collect_cohort(const Run& run) {
  const CohortView view = view_cohort(run);
  io::TextTable table;
  table.columns = {"index", "subject", "status", "epochs", "stop_reason", "seconds", "attempts", "resumed_at"};
  for (const auto& m : pipeline::Scores::names()) table.columns.push_back(m);
  for (const auto& b : baseline_names)
    for (const auto& m : baseline_metrics) table.columns.push_back(b + "_" + m);
  table.columns.push_back("error");
  std::map<std::string, std::vector<double>> done_values;  // column -> values over done subjects
  std::vector<std::string> failures, unfinished;
  for (std::size_t i = 0; i < run.subjects.size(); ++i) {
    const SubjectEntry& s = run.subjects[i];
    const SubjectView& v = view.subjects[i];
    const TaskRecord& r = v.record;
    const bool done = v.status == SubjectStatus::done;
    std::vector<std::string> row = {std::to_string(s.index), s.id, to_string(v.status)};
    row.push_back(done ? std::to_string(r.epochs) : "");
    row.push_back(done ? r.stop_reason : "");
    row.push_back(done ? number_text(r.seconds, "%.1f") : "");
    row.push_back(r.attempts > 0 ? std::to_string(r.attempts) : "");
    row.push_back(r.resumed_at);
    for (const auto& m : pipeline::Scores::names()) row.push_back(done ? named_value(r.metrics, m) : "");
    for (const auto& b : baseline_names)
      for (const auto& m : baseline_metrics) {
        const auto found = r.baselines.find(b);
        row.push_back(done && found != r.baselines.end() ? named_value(found->second, m) : "");
      }
    row.push_back(v.status == SubjectStatus::failed ? v.detail : "");
    if (done) {
      for (std::size_t c = 3; c + 1 < table.columns.size(); ++c)
        done_values[table.columns[c]].push_back(parse_number(row[c]));
    } else if (v.status == SubjectStatus::failed) {
      failures.push_back(s.id + " (index " + std::to_string(s.index) + "): " + v.detail);
    } else {
      unfinished.push_back(s.id + " (index " + std::to_string(s.index) + "): " + to_string(v.status) +
                           (v.detail.empty() ? "" : ", " + v.detail));
    }
    table.rows.push_back(row);
  }
  CollectResult result;
  result.csv = (run.dir / "cohort.csv").string();
  result.markdown = (run.dir / "cohort.md").string();
  io::write_csv(result.csv, table);

  const std::string c1 = run.contrast(0), c2 = run.contrast(1);
  const int done = view.count(SubjectStatus::done), failed = view.count(SubjectStatus::failed);
  std::ostringstream md;
  md << "# Cohort " << run.dir.filename().string() << "\n\n"
     << run.subjects.size() << " subjects: " << done << " done, " << failed << " failed";
  for (SubjectStatus other :
       {SubjectStatus::running, SubjectStatus::pending, SubjectStatus::interrupted, SubjectStatus::not_submitted})
    if (view.count(other)) md << ", " << view.count(other) << " " << to_string(other);
  md << " (collected " << now_utc() << "). Contrasts: 1 = " << c1 << ", 2 = " << c2 << ".\n"
     << "Mean ± sample standard deviation (n - 1) over the " << done
     << " done subjects; PSNR in dB, MI in nats; per subject: cohort.csv.\n\n";
  if (mean_std(done_values["psnr1"]).n > 0) {
    md << "| method | PSNR " << c1 << " | SSIM " << c1 << " | PSNR " << c2 << " | SSIM " << c2 << " |\n"
       << "|---|---|---|---|---|\n";
    const std::pair<std::string, std::string> methods[] = {
        {"linear_", "linear interpolation"}, {"bspline_", "cubic B-spline"}, {"", "mcinr"}};
    for (const auto& [prefix, label] : methods) {
      if (mean_std(done_values[prefix + "psnr1"]).n == 0) continue;
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
  result.summary = md.str();
  io::write_file_atomically(result.markdown, result.summary);
  return result;
}

}  // namespace mcinr::cohort
