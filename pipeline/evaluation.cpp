#include "mcinr/pipeline/evaluation.hpp"

#include <cmath>

#include "mcinr/io/resample.hpp"

namespace mcinr::pipeline {

const std::vector<std::string>& Scores::names() {
  static const std::vector<std::string> names = {"mi_pred", "psnr1", "ssim1",   "psnr2",
                                                 "ssim2",   "mi_gt", "mi_err1", "mi_err2"};
  return names;
}

const std::vector<std::string>& Scores::names_without_truth() {
  static const std::vector<std::string> names = {"mi_pred"};
  return names;
}

std::vector<double> Scores::values() const {
  return {mi_pred, psnr[0], ssim[0], psnr[1], ssim[1], mi_gt, mi_err[0], mi_err[1]};
}

std::map<std::string, double> Scores::named() const {
  std::map<std::string, double> out;
  const auto v = values();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (std::isfinite(v[i])) out[names()[i]] = v[i];
  return out;
}

Scores Scores::from_named(const std::map<std::string, double>& values) {
  auto get = [&](const char* name) {
    const auto found = values.find(name);
    return found == values.end() ? NAN : found->second;
  };
  Scores s;
  s.mi_pred = get("mi_pred");
  s.psnr = {get("psnr1"), get("psnr2")};
  s.ssim = {get("ssim1"), get("ssim2")};
  s.mi_gt = get("mi_gt");
  s.mi_err = {get("mi_err1"), get("mi_err2")};
  return s;
}

Evaluator::Evaluator(const io::Geometry& grid, DeviceMask brain, std::optional<std::array<DeviceVolume, 2>> truth)
    : grid_(grid), shape_(shape_of(grid)), brain_(std::move(brain)), truth_(std::move(truth)) {
  if (!truth_) return;
  mi_gt_ = mutual_information((*truth_)[0].values, (*truth_)[1].values, brain_);
  // Normalised volumes are 0 outside the brain mask: SSIM filters only its box.
  if (brain_.extent(0) > 0) {
    differ_ = mask_box(brain_, shape_);
  } else {
    for (int d = 0; d < 3; ++d) differ_.hi[d] = d == 0 ? shape_.nx : d == 1 ? shape_.ny : shape_.nz;
  }
  for (int c = 0; c < 2; ++c) truth_unit_[c] = reference_normalize((*truth_)[c].values, brain_);
}

std::optional<Scores> Evaluator::score(const DeviceValues volumes[2], const StopRequested& stop) const {
  auto stopped = [&] { return stop && stop(); };
  Scores s;
  s.mi_pred = mutual_information(volumes[0], volumes[1], brain_);
  if (!truth_) return s;
  for (int c = 0; c < 2; ++c) {
    if (stopped()) return std::nullopt;
    // A prediction at the brain floor everywhere (an underfit field) is
    // flat: it scores as the zero image.
    const VolumeD unit = reference_normalize(volumes[c], brain_, true);
    s.psnr[c] = psnr(unit, truth_unit_[c]);
    s.ssim[c] = ssim(unit, truth_unit_[c], shape_, differ_);
  }
  if (stopped()) return std::nullopt;
  s.mi_gt = mi_gt_;
  s.mi_err[0] = std::abs(mutual_information(volumes[0], (*truth_)[1].values, brain_) - mi_gt_);
  s.mi_err[1] = std::abs(mutual_information(volumes[1], (*truth_)[0].values, brain_) - mi_gt_);
  return s;
}

Scores Evaluator::score_interpolation(const Scan scans[2], int order) const {
  DeviceValues interpolated[2];
  for (int c = 0; c < 2; ++c) {
    const io::Volume lr = to_host(scans[c].volume.geometry, scans[c].volume.values);
    interpolated[c] = to_device(io::resample(lr, grid_, order)).values;
  }
  return *score(interpolated);
}

VolumeScore score_volume(const DeviceVolume& prediction, const DeviceVolume& truth, const DeviceMask& mask) {
  return {psnr_reference(prediction.values, truth.values, mask),
          ssim_reference(prediction.values, truth.values, mask, truth.shape())};
}

}  // namespace mcinr::pipeline
