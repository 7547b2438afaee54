#pragma once
// Scoring, as the reference scores (../shared/docs/method.md): predictions
// min-max scaled to [0, 1] over the volume; PSNR and SSIM per contrast
// against ground truth after both are shifted by their minimum inside the
// brain mask, divided by their maximum and masked; MI(pred1, pred2) inside
// the brain mask; with ground truth also MI(gt1, gt2) and the MI errors
// |MI(pred1, gt2) - MI(gt1, gt2)|, |MI(pred2, gt1) - MI(gt1, gt2)|.
//
// Scores is the one named schema of these numbers: metrics.csv columns,
// summary.json keys, the cohort's state files and cohort.csv all use its
// names.
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mcinr/core/field.hpp"
#include "mcinr/pipeline/scans.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace mcinr::pipeline {

struct Scores {
  double mi_pred = NAN;  // MI(pred1, pred2)
  std::array<double, 2> psnr{NAN, NAN}, ssim{NAN, NAN};
  double mi_gt = NAN;  // MI(gt1, gt2)
  std::array<double, 2> mi_err{NAN, NAN};

  // mi_pred, psnr1, ssim1, psnr2, ssim2, mi_gt, mi_err1, mi_err2
  static const std::vector<std::string>& names();
  // The names a score without ground truth has: mi_pred.
  static const std::vector<std::string>& names_without_truth();
  std::vector<double> values() const;  // in names() order
  // Finite values by name.
  std::map<std::string, double> named() const;
  static Scores from_named(const std::map<std::string, double>& values);
  bool has_truth() const { return !std::isnan(psnr[0]); }
};

// Scores predictions on an output grid, with or without ground truth.
class Evaluator {
 public:
  Evaluator() = default;
  // brain: the metrics' mask (may be empty: every voxel). truth: both
  // contrasts on the grid, or none.
  Evaluator(const io::Geometry& grid, DeviceMask brain, std::optional<std::array<DeviceVolume, 2>> truth);

  bool has_truth() const { return truth_.has_value(); }
  double mi_gt() const { return mi_gt_; }
  const DeviceMask& brain() const { return brain_; }
  const std::array<DeviceVolume, 2>& truth() const { return *truth_; }

  // Scores two volumes on the grid (predictions in [0, 1], or anything the
  // protocol normalises itself). nullopt where stop said so between stages.
  std::optional<Scores> score(const DeviceValues volumes[2], const StopRequested& stop = {}) const;

  // Linear (order 1) or cubic B-spline (order 3) interpolation of each scan
  // onto the grid (ITK), scored like a prediction.
  Scores score_interpolation(const Scan scans[2], int order) const;

 private:
  io::Geometry grid_;
  GridShape shape_;
  VoxelBox differ_;  // where the normalised prediction and truth can differ (the brain mask's box)
  DeviceMask brain_;
  std::optional<std::array<DeviceVolume, 2>> truth_;
  std::array<VolumeD, 2> truth_unit_;  // ground truth in the protocol's normalisation, made once
  double mi_gt_ = NAN;
};

// PSNR and SSIM of one predicted volume against its ground truth (mcinr evaluate).
struct VolumeScore {
  double psnr = NAN, ssim = NAN;
};
VolumeScore score_volume(const DeviceVolume& prediction, const DeviceVolume& truth, const DeviceMask& mask);

}  // namespace mcinr::pipeline
