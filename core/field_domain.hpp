#pragma once
// The map from world coordinates (mm, ITK's LPS axes) to the field's domain.
// As in the reference, ONE scalar range [lo, hi] over every coordinate of
// both training grids maps them to [-1, 1] (aspect ratio kept), and every
// query grid goes through this same map (the reference maps its inference
// grid by that grid's own range).
//
// The reference takes the range of nibabel's RAS coordinates. RAS is LPS
// with x and y negated, and where the scans' box is not symmetric under
// that flip (an origin at a corner, say) the two ranges differ, and with
// them the Fourier features' frequencies per millimetre. So the range is
// that of the RAS coordinates (`ras`), and x and y are mapped from
// [-hi, -lo]: the field sees the reference's coordinates mirrored in x and
// y, which Gaussian Fourier features cannot tell apart. Checkpoints written
// before this (no /field/domain_axes) used the LPS range on every axis
// (`ras` false); both maps agree wherever lo = -hi, as on BraTS.
#include <stdexcept>

namespace mcinr {

struct FieldDomain {
  double lo = -1, hi = 1;  // world coordinate range (mm) mapped to [-1, 1]
  bool ras = true;         // lo, hi: the RAS range (x, y from [-hi, -lo]); false: LPS on every axis

  static FieldDomain from_range(double lo, double hi, bool ras = true) {
    if (!(hi > lo)) throw std::invalid_argument("field domain: the training grids have no extent");
    return {lo, hi, ras};
  }
  // The world coordinate on `axis` (0, 1, 2: LPS x, y, z) that maps to -1.
  double low_end(int axis) const { return ras && axis < 2 ? -hi : lo; }
  double to_field(int axis, double world) const { return 2.0 * (world - low_end(axis)) / (hi - lo) - 1.0; }
  // Whether both map every point alike.
  bool same_map(const FieldDomain& o) const { return lo == o.lo && hi == o.hi && (ras == o.ras || lo == -hi); }
};

}  // namespace mcinr
