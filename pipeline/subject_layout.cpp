#include "mcinr/pipeline/subject_layout.hpp"

#include <filesystem>

#include "mcinr/pipeline/errors.hpp"

namespace fs = std::filesystem;

namespace mcinr::pipeline {

std::string SubjectNames::ground_truth(const std::string& id, const std::string& c) { return id + "_" + c + ".nii.gz"; }
std::string SubjectNames::scan(const std::string& id, const std::string& c) { return id + "_" + c + "_LR.nii.gz"; }
std::string SubjectNames::scan_mask(const std::string& id, const std::string& c) {
  return id + "_" + c + "_mask_LR.nii.gz";
}
std::string SubjectNames::brain_mask(const std::string& id) { return id + "_brainmask.nii.gz"; }

std::string SubjectNames::id_of_scan(const std::string& name, const std::string& contrast) {
  const std::string suffix = scan("", contrast);
  if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return "";
  return name.substr(0, name.size() - suffix.size());
}

FitFileNames fit_file_names(const std::array<std::string, 2>& images) {
  FitFileNames n;
  for (int c = 0; c < 2; ++c) {
    std::string name = std::filesystem::path(images[c]).filename().string();
    for (const std::string suffix : {".nii.gz", ".nii", "_LR"})
      if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        name.resize(name.size() - suffix.size());
    n.prefix[c] = name.empty() ? "contrast" + std::to_string(c + 1) : name;
  }
  if (n.prefix[0] == n.prefix[1])
    for (int c = 0; c < 2; ++c) n.prefix[c] += "-" + std::to_string(c + 1);
  for (int c = 0; c < 2; ++c) {
    n.volume[c] = n.prefix[c] + "_desc-mcinr.nii.gz";
    n.sidecar[c] = n.prefix[c] + "_desc-mcinr.json";
    n.scan_mask[c] = n.prefix[c] + "_desc-scan_mask.nii.gz";
    n.coverage[c] = n.prefix[c] + "_desc-coverage_dseg.nii.gz";
  }
  n.transform = n.prefix[1] + "_to_" + n.prefix[0] + "_rigid.tfm";
  return n;
}

std::array<std::string, 2> split_contrasts(const std::string& both, const std::string& option) {
  const auto comma = both.find(',');
  require(comma != std::string::npos && comma > 0 && comma + 1 < both.size() &&
              both.find(',', comma + 1) == std::string::npos,
          option + " needs two names: c1,c2");
  std::array<std::string, 2> names = {both.substr(0, comma), both.substr(comma + 1)};
  require(names[0] != names[1], option + ": the two contrasts must differ");
  return names;
}

bool valid_subject_id(const std::string& id) {
  if (id.empty() || id == "." || id == ".." || id.size() > 200) return false;
  for (unsigned char ch : id)
    if (ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) return false;
  return true;
}

SubjectFiles find_subject(const std::string& dir, const std::string& c1, const std::string& c2) {
  require(fs::is_directory(dir), dir + ": no such subject folder");
  SubjectFiles files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string id = SubjectNames::id_of_scan(entry.path().filename().string(), c1);
    if (id.empty()) continue;
    require(files.id.empty(), dir + ": more than one subject with a " + c1 + " scan");
    files.id = id;
  }
  require(!ec, dir + ": cannot list the folder (" + ec.message() + ")");
  require(!files.id.empty(), dir + ": no file named <id>" + SubjectNames::scan("", c1));
  auto path = [&](const std::string& name) { return (fs::path(dir) / name).string(); };
  auto optional = [&](const std::string& name) { return fs::exists(path(name)) ? path(name) : std::string(); };
  const std::string contrasts[2] = {c1, c2};
  for (int c = 0; c < 2; ++c) {
    files.image[c] = path(SubjectNames::scan(files.id, contrasts[c]));
    require(fs::exists(files.image[c]), files.image[c] + ": no such file");
    files.mask[c] = optional(SubjectNames::scan_mask(files.id, contrasts[c]));
    files.gt[c] = optional(SubjectNames::ground_truth(files.id, contrasts[c]));
  }
  files.brain_mask = optional(SubjectNames::brain_mask(files.id));
  return files;
}

}  // namespace mcinr::pipeline
