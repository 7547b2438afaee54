#include "mcinr/cohort/collect.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "mcinr/cohort/status.hpp"
#include "mcinr/io/atomic_file.hpp"
#include "mcinr/io/png.hpp"
#include "mcinr/io/report.hpp"

namespace mcinr::cohort {

namespace fs = std::filesystem;

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

// A table as Markdown; '|' in a cell escaped.
std::string markdown_table(const io::ReportTable& table) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& cell : cells) {
      std::string escaped;
      for (char c : cell) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
      out += escaped.empty() ? " |" : " " + escaped + " |";
    }
    return out + "\n";
  };
  std::string out = line(table.columns) + "|";
  for (std::size_t i = 0; i < table.columns.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : table.rows) out += line(row);
  return out;
}

// A subject's row of report.html: its cells (from its cohort.csv row), and
// for a done subject a thumbnail of its slices.png (shrunk to 360 x 240),
// and a link to its own report.html where the fit wrote one.
io::CohortReportRow report_row(const Run& run, const SubjectEntry& s, const SubjectView& v,
                               const std::vector<std::string>& csv_row, const io::TextTable& table) {
  auto cell = [&](const std::string& column, const char* format = nullptr) {
    const std::string& text = csv_row[table.column(column)];
    if (!format || text.empty()) return text;
    return number_text(parse_number(text), format);
  };
  io::CohortReportRow row;
  row.cells = {cell("index"),
               cell("subject"),
               cell("status"),
               cell("epochs"),
               cell("stop_reason"),
               cell("seconds"),
               cell("attempts"),
               cell("psnr1", "%.2f"),
               cell("ssim1", "%.4f"),
               cell("psnr2", "%.2f"),
               cell("ssim2", "%.4f"),
               cell("mi_pred", "%.4f"),
               v.detail};
  row.failed = v.status == SubjectStatus::failed;
  const fs::path out(s.out);
  if (v.status != SubjectStatus::done) {
    row.note = "no finished fit";
  } else {
    try {
      row.thumbnail_png = io::encode_png(io::shrink_to_fit(io::read_png((out / "slices.png").string()), 360, 240));
    } catch (const std::exception& e) {
      row.note = std::string("no thumbnail: ") + e.what();
    }
  }
  std::error_code error;
  if (fs::is_regular_file(out / "report.html", error)) {
    // Relative to the run folder, so that the pages still find each other
    // when the folder is copied off the cluster.
    const fs::path page = fs::absolute(out / "report.html", error);
    const fs::path relative = page.lexically_relative(fs::absolute(run.dir, error));
    row.link = (relative.empty() ? page : relative).string();
  }
  return row;
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
  std::ostringstream counts;
  counts << run.subjects.size() << " subjects: " << done << " done, " << failed << " failed";
  for (SubjectStatus other :
       {SubjectStatus::running, SubjectStatus::pending, SubjectStatus::interrupted, SubjectStatus::not_submitted})
    if (view.count(other)) counts << ", " << view.count(other) << " " << to_string(other);
  const std::string collected = now_utc();

  // The tables of means, for cohort.md and report.html alike.
  std::vector<io::ReportTable> tables;
  if (mean_std(done_values["psnr1"]).n > 0) {
    io::ReportTable methods{
        "PSNR (dB) and SSIM, mean ± std", {"method", "PSNR " + c1, "SSIM " + c1, "PSNR " + c2, "SSIM " + c2}, {}};
    const std::pair<std::string, std::string> names[] = {
        {"linear_", "linear interpolation"}, {"bspline_", "cubic B-spline"}, {"", "mcinr"}};
    for (const auto& [prefix, label] : names) {
      if (mean_std(done_values[prefix + "psnr1"]).n == 0) continue;
      methods.rows.push_back({label, mean_std_text(done_values[prefix + "psnr1"], "%.2f"),
                              mean_std_text(done_values[prefix + "ssim1"], "%.4f"),
                              mean_std_text(done_values[prefix + "psnr2"], "%.2f"),
                              mean_std_text(done_values[prefix + "ssim2"], "%.4f")});
    }
    tables.push_back(methods);
    tables.push_back({"MI error (nats), mean ± std",
                      {"mcinr", c1, c2},
                      {{"MI error, |MI(pred, other gt) - MI(gt1, gt2)|", mean_std_text(done_values["mi_err1"], "%.4f"),
                        mean_std_text(done_values["mi_err2"], "%.4f")}}});
  }
  tables.push_back(
      {"MI (nats), epochs and seconds, mean ± std",
       {"", "MI(pred1, pred2)", "MI(gt1, gt2)", "epochs", "seconds"},
       {{"mcinr", mean_std_text(done_values["mi_pred"], "%.4f"), mean_std_text(done_values["mi_gt"], "%.4f"),
         mean_std_text(done_values["epochs"], "%.1f"), mean_std_text(done_values["seconds"], "%.0f")}}});

  std::ostringstream md;
  md << "# Cohort " << run.dir.filename().string() << "\n\n"
     << counts.str() << " (collected " << collected << "). Contrasts: 1 = " << c1 << ", 2 = " << c2 << ".\n"
     << "Mean ± sample standard deviation (n - 1) over the " << done
     << " done subjects; PSNR in dB, MI in nats; per subject: cohort.csv.\n";
  for (const auto& t : tables) md << "\n" << markdown_table(t);
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

  io::CohortReport report;
  report.title = "Cohort " + run.dir.filename().string();
  report.summary = {{"subjects", counts.str()},
                    {"contrasts", "1 = " + c1 + ", 2 = " + c2},
                    {"collected", collected},
                    {"run folder", run.dir.string()},
                    {"means", "over the " + std::to_string(done) +
                                  " done subjects, ± the sample standard deviation (n - 1); PSNR in dB, MI in nats"},
                    {"every column", "cohort.csv"}};
  report.warnings = failures;
  report.tables = tables;
  report.columns = {"index",      "subject",          "status",         "epochs",     "stop reason",
                    "seconds",    "attempts",         "PSNR " + c1,     "SSIM " + c1, "PSNR " + c2,
                    "SSIM " + c2, "MI(pred1, pred2)", "error or detail"};
  for (std::size_t i = 0; i < run.subjects.size(); ++i)
    report.rows.push_back(report_row(run, run.subjects[i], view.subjects[i], table.rows[i], table));
  result.html = (run.dir / "report.html").string();
  io::write_cohort_report(result.html, report);
  return result;
}

}  // namespace mcinr::cohort
