#pragma once
// A subject folder in the reference's naming, the one place mcinr spells it:
//   <id>_<c>.nii.gz           ground truth of contrast c (optional)
//   <id>_<c>_LR.nii.gz        its low-resolution scan
//   <id>_<c>_mask_LR.nii.gz   the scan's mask (optional)
//   <id>_brainmask.nii.gz     the brain mask on the ground-truth grid (optional)
#include <array>
#include <string>

namespace mcinr::pipeline {

struct SubjectNames {
  static std::string ground_truth(const std::string& id, const std::string& contrast);
  static std::string scan(const std::string& id, const std::string& contrast);
  static std::string scan_mask(const std::string& id, const std::string& contrast);
  static std::string brain_mask(const std::string& id);
  // The id of a scan's file name for a contrast ("" where the name is not a scan of it).
  static std::string id_of_scan(const std::string& file_name, const std::string& contrast);
};

// What a fit writes, BIDS-derivative style. The names start with each scan's
// prefix: its file name without .nii(.gz) and without the subject layout's
// "_LR" (<id>_<c>_LR.nii.gz -> <id>_<c>; sub-01_T1w.nii.gz -> sub-01_T1w);
// where both scans' prefixes are the same, "-1" and "-2" follow them.
//   <prefix>_desc-mcinr.nii.gz        the volume on the output grid
//   <prefix>_desc-mcinr.json          its sidecar (sources, version, settings, hashes)
//   <prefix>_desc-scan_mask.nii.gz    the mask the fit used, on the scan's grid
//   <prefix>_desc-coverage_dseg.nii.gz  0 outside the output mask, 1 measured, 2 invented
//   <prefix2>_to_<prefix1>_rigid.tfm    scan 2's registration onto scan 1 (fit --register rigid)
struct FitFileNames {
  std::array<std::string, 2> prefix, volume, sidecar, scan_mask, coverage;
  std::string transform;
};
FitFileNames fit_file_names(const std::array<std::string, 2>& images);

// "c1,c2" -> {c1, c2}; InputError unless exactly two non-empty, distinct names.
std::array<std::string, 2> split_contrasts(const std::string& both, const std::string& option = "--contrasts");

struct SubjectFiles {
  std::string id;
  std::array<std::string, 2> image, mask, gt;  // mask, gt: empty where absent
  std::string brain_mask;                      // empty where absent
};

// Finds the subject in dir (the folder holds exactly one id with a c1 scan).
// A missing scan is an InputError; missing optional files stay empty.
SubjectFiles find_subject(const std::string& dir, const std::string& c1, const std::string& c2);

// Whether a valid subject id: a plain file name part (no separators, not "."
// or "..", no control characters), so <id>_... stays inside its folder.
bool valid_subject_id(const std::string& id);

}  // namespace mcinr::pipeline
