// Writes a fit report (io/report.hpp) of a prepared subject, and of a fit of
// it where given, as the fit will: per contrast linear interpolation of its
// scan, the fit's volume (without a fit: cubic B-spline interpolation) and
// the ground truth; the fit's metrics.csv as
// curves; its summary.json as summary and settings. For
// tests/validation/report_screenshots.sh and for measuring page sizes on
// real data; the fit itself writes its report through the same calls.
//   make_test_report OUT.html SUBJECT_DIR ID C1 C2 [FIT_DIR]
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mcinr/io/nifti.hpp"
#include "mcinr/io/report.hpp"
#include "mcinr/io/resample.hpp"
#include "mcinr/io/text_files.hpp"

namespace fs = std::filesystem;
using namespace mcinr::io;

namespace {

std::string json_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    std::ostringstream s;
    s << value.get<double>();
    return s.str();
  }
  return value.dump();
}

}  // namespace

int main(int argc, char* argv[]) try {
  if (argc != 6 && argc != 7) {
    std::cerr << "usage: make_test_report OUT.html SUBJECT_DIR ID C1 C2 [FIT_DIR]\n";
    return 2;
  }
  const fs::path out = argv[1], subject = argv[2];
  const std::string id = argv[3], contrasts[2] = {argv[4], argv[5]};
  const fs::path fit = argc == 7 ? fs::path(argv[6]) : fs::path();

  FitReport report;
  report.title = "mcinr fit: " + id + " (" + contrasts[0] + " + " + contrasts[1] + ")";
  Volume truth[2], linear[2], predicted[2];  // predicted: the fit's, or B-spline interpolation
  Geometry scans[2];
  for (int c = 0; c < 2; ++c) {
    const std::string scan = (subject / (id + "_" + contrasts[c] + "_LR.nii.gz")).string();
    truth[c] = read_nifti((subject / (id + "_" + contrasts[c] + ".nii.gz")).string());
    const Volume lr = read_nifti(scan);
    report.geometry.push_back("scan " + std::to_string(c + 1) + " (" + contrasts[c] + "): " + lr.geometry.summary());
    scans[c] = lr.geometry;
    linear[c] = resample(lr, truth[c].geometry, 1);
    predicted[c] = fit.empty() ? resample(lr, truth[c].geometry, 3)
                               : read_nifti((fit / ("contrast" + std::to_string(c + 1) + ".nii.gz")).string());
  }
  report.geometry.push_back("output grid: " + truth[0].geometry.summary());
  if (scans[0].anisotropic() && scans[1].anisotropic() && scans[0].thickest_axis() == scans[1].thickest_axis())
    report.warnings.push_back("both scans are thick along voxel axis " + std::to_string(scans[0].thickest_axis() + 1) +
                              ": the field cannot recover detail along it");
  for (int c = 0; c < 2; ++c) {
    ReportPanels panels{contrasts[c], {{"linear interpolation", &linear[c]}}};
    panels.columns.push_back({fit.empty() ? "cubic B-spline" : "mcinr", &predicted[c]});
    panels.columns.push_back({"ground truth", &truth[c]});
    report.panels.push_back(panels);
  }

  if (!fit.empty()) {
    nlohmann::json summary;
    std::ifstream(fit / "summary.json") >> summary;
    report.summary = {{"status", "finished"},
                      {"epochs", json_text(summary["epochs_done"])},
                      {"stop reason", json_text(summary["stop_reason"])},
                      {"seconds", json_text(summary["seconds"])},
                      {"model", json_text(summary["model"])},
                      {"parameters", json_text(summary["parameters"])},
                      {"backend", json_text(summary["backend"])}};
    for (const auto& [name, value] : summary["final"].items())
      report.summary.emplace_back("final " + name, json_text(value));
    for (const auto& [name, value] : summary["config"].items()) report.settings.emplace_back(name, json_text(value));

    const TextTable metrics = read_csv((fit / "metrics.csv").string());
    auto column = [&](const std::string& name) {
      std::vector<double> values;
      const std::size_t at = metrics.column(name);
      for (const auto& row : metrics.rows) values.push_back(std::strtod(row[at].c_str(), nullptr));
      return values;
    };
    const std::vector<double> epochs = column("epoch");
    report.curves.push_back({"Training loss", "epoch", "loss", epochs, {"loss"}, {column("loss")}, true});
    report.curves.push_back({"Mutual information",
                             "epoch",
                             "MI (nats)",
                             epochs,
                             {"MI(pred1, pred2)", "MI(gt1, gt2)"},
                             {column("mi_pred"), column("mi_gt")}});
    report.curves.push_back(
        {"PSNR", "epoch", "PSNR (dB)", epochs, {contrasts[0], contrasts[1]}, {column("psnr1"), column("psnr2")}});
    report.curves.push_back(
        {"SSIM", "epoch", "SSIM", epochs, {contrasts[0], contrasts[1]}, {column("ssim1"), column("ssim2")}});
  } else {
    report.summary = {{"status", "no fit: interpolation and ground truth only"}};
  }
  write_fit_report(out.string(), report);
  std::cout << "wrote " << out.string() << " (" << fs::file_size(out) << " bytes)\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "make_test_report: " << e.what() << "\n";
  return 1;
}
