#pragma once
// The map from world coordinates (mm) to the field's domain. As in the
// reference, ONE scalar minimum and maximum over every coordinate of both
// training grids maps them to [-1, 1] (aspect ratio kept). Unlike the
// reference, every query grid goes through this same map.
#include <stdexcept>

namespace mcinr {

struct FieldDomain {
  double lo = -1, hi = 1;  // world coordinate range (mm) mapped to [-1, 1]

  static FieldDomain from_range(double lo, double hi) {
    if (!(hi > lo)) throw std::invalid_argument("field domain: the training grids have no extent");
    return {lo, hi};
  }
  double to_field(double world) const { return 2.0 * (world - lo) / (hi - lo) - 1.0; }
};

}  // namespace mcinr
