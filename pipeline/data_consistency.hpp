#pragma once
// Data consistency for scans that sample the volume at points (the
// reference's decimation: each LR voxel is an HR voxel): wherever an output
// voxel's centre coincides with a scan's voxel centre, that contrast's
// prediction is replaced by the measurement. Linear interpolation keeps the
// measurements too; a field then competes with it only between them. Not
// for scans with a slice profile (a thick slice averages a slab: its value
// is no point sample).
#include <array>
#include <cstdint>
#include <vector>

#include "mcinr/pipeline/scans.hpp"

namespace mcinr::pipeline {

class DataConsistency {
 public:
  DataConsistency() = default;
  // Finds, for both scans, the output voxels whose centres lie within
  // `tolerance` voxels (of the output grid) of one of the scan's centres.
  DataConsistency(const Scan scans[2], const io::Geometry& grid, double tolerance = 1e-3);

  std::size_t voxels(int contrast) const { return index_[contrast].extent(0); }
  // prediction: output voxels x 2, in the field's intensity units (each scan
  // min-max scaled to [0, 1]).
  void apply(const Matrix<float>& prediction) const;

 private:
  Kokkos::View<std::size_t*, MemSpace> index_[2];
  Kokkos::View<float*, MemSpace> value_[2];
};

}  // namespace mcinr::pipeline

#include "mcinr/core/field.hpp"

namespace mcinr::pipeline {

// Residual correction (back-projection of the measurements' residual, with
// linear interpolation as the back-projector): the field is evaluated at
// each scan's voxel centres, the scan minus it is interpolated (ITK linear)
// onto the output grid, and added to that contrast's prediction:
//   out = F + Interp(scan - F at the scan's voxels)
//       = Interp(scan) + (F - Interp(F at the scan's voxels)).
// Measured voxels keep their value; between them, linear interpolation of
// the scan supplies the in-plane detail and the field what it knows beyond
// linear (its curvature between the slices, learnt with the other
// contrast). Only the voxels the fit samples (mask_margin_mm and background
// as in make_samples) are predicted (~5x fewer for a foreground fit).
// Beyond them the field was never fitted and the output becomes the scan's
// own interpolation: with w the sampled voxels' indicator interpolated onto
// the grid,
//   out = w F + Interp(scan - F on sampled voxels, scan elsewhere),
// which is the formula above where w = 1 and Interp(scan) where w = 0.
// Beyond the scan's own field of view (Interp is 0 there) w is the other
// scan's sampled indicator: the field is fitted there through the other
// contrast, and the output is its invention (w_c = f_c s_c + (1 - f_c) s_o,
// f_c the scan's field of view on the grid, 0 or 1 (Coverage::measured),
// s the sampled indicators on it). With every voxel of both scans sampled, w = 1.
//  * detail_mm > 0: Interp is io::resample_fading_detail, so the residual's
//    in-plane detail (finer than a Gaussian of detail_mm) fades between the
//    slices as (1 - t)^detail_power instead of linearly: detail seen on one
//    slice says less about a point 2 mm away than the smooth part does
//    (power > 1, the smaller error), or keeps the detail's variance between
//    the slices (power 0.5: (1 - t) + t = 1 for uncorrelated detail). Each
//    contrast has its own values.
//  * A scan with a slice profile (box, gaussian): "F at the scan's voxel" is
//    the profile-weighted mean of F at `profile_points` points across the
//    slab (the centres of the strata training draws from), so the residual
//    is the measurement's, not a point's.
class ResidualCorrection {
 public:
  struct Options {
    double mask_margin_mm = -1, background = 0;
    std::array<double, 2> detail_mm{0, 0}, detail_power{2, 2};  // per contrast
    std::vector<SliceProfile> profiles;  // per contrast; empty: point samples
    int profile_points = 4;
  };
  ResidualCorrection() = default;
  // fields_of_view: each scan's field of view on the grid (Coverage::measured).
  ResidualCorrection(const Scan scans[2], const FieldDomain& domain, const io::Geometry& grid,
                     const std::array<std::vector<std::uint8_t>, 2>& fields_of_view, const Options& options);

  // The scan's residual to the field on its own grid, in field intensity
  // units: measurement minus the field (profile-weighted where the scan has
  // a profile) at the sampled voxels, the measurement elsewhere. Empty
  // voxels where stop said so.
  io::Volume residual(Field<float>& field, int contrast, const StopRequested& stop) const;

  // prediction: output voxels x 2, field intensity units. False where stop
  // said so between predictions (prediction then incomplete).
  bool apply(Field<float>& field, const Matrix<float>& prediction, const StopRequested& stop) const;

  // The output voxels whose corrected value reads the prediction: w > 0 for
  // either contrast. Elsewhere apply() writes the scans' interpolation
  // whatever the prediction held, so a caller may leave those voxels
  // unpredicted (any finite value). Empty where every voxel reads it.
  DeviceMask support() const;

 private:
  io::Geometry grid_;
  Options options_;
  io::Geometry scan_grid_[2];
  Matrix<float> coords_[2];             // field coordinates of the points predicted, 3 x (M x points)
  std::size_t points_[2] = {1, 1};  // field values per scan voxel, of equal weight (1: a point sample)
  std::vector<std::size_t> voxels_[2];  // the M sampled voxels' flat indices in the scan
  std::vector<float> measured_[2];      // every voxel of the scan in field intensity units
  Kokkos::View<float*, MemSpace> weight_[2];  // w on the output grid (empty: all voxels sampled)
};

}  // namespace mcinr::pipeline
