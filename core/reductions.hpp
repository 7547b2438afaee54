#pragma once
// Reductions over device volumes used across mcinr (scan intensity ranges,
// the metrics' normalisation, output scaling): one implementation each.
#include <cstdint>
#include <limits>

#include "mcinr/backends/types.hpp"

namespace mcinr {

// Smallest and largest value; empty (lo > hi) where nothing was counted.
struct ValueRange {
  double lo = std::numeric_limits<double>::max();
  double hi = std::numeric_limits<double>::lowest();
  bool empty() const { return lo > hi; }
};

// Range of x where mask is set (everywhere when mask has no extent). NaN
// values are never counted. Float inputs are represented exactly.
ValueRange value_range(Kokkos::View<const float*, MemSpace> x, Kokkos::View<const std::uint8_t*, MemSpace> mask = {});

}  // namespace mcinr
