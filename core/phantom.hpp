#pragma once
// A smooth analytic two-contrast phantom on [-1, 1]^3: known functions for
// the engine's tests and demo. Both contrasts share structure (a bright
// ellipsoid, a ring, a smooth bias) with different intensities, as two MRI
// contrasts of one anatomy do.
#include "mcinr/core/math.hpp"

namespace mcinr::phantom {

template <class Scalar> KOKKOS_INLINE_FUNCTION Scalar value(int contrast, Scalar x, Scalar y, Scalar z) {
  const Scalar ex = (x - Scalar(0.15)) / Scalar(0.45), ey = (y + Scalar(0.1)) / Scalar(0.35), ez = z / Scalar(0.55);
  const Scalar blob = math::exp(-(ex * ex + ey * ey + ez * ez) * Scalar(2));
  const Scalar r = math::sqrt(x * x + y * y + Scalar(0.5) * z * z);
  const Scalar ring = math::exp(-(r - Scalar(0.7)) * (r - Scalar(0.7)) * Scalar(40));
  const Scalar wave = math::sin(Scalar(3) * x) * math::cos(Scalar(2) * y) * math::cos(Scalar(1.5) * z);
  if (contrast == 0) return Scalar(0.2) + Scalar(0.5) * blob + Scalar(0.2) * ring + Scalar(0.1) * wave;
  return Scalar(0.6) - Scalar(0.4) * blob + Scalar(0.3) * ring - Scalar(0.1) * wave;
}

}  // namespace mcinr::phantom
