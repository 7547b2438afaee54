#pragma once
// The one place kernels get their math functions from. Kokkos 3.4 has them in
// Kokkos::Experimental; 3.7+ in Kokkos::, and 4.3+ dropped the Experimental
// aliases. Kernels call mcinr::math::sin(...) and never name either.
#include <Kokkos_Core.hpp>

namespace mcinr::math {

#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

template <class T> KOKKOS_INLINE_FUNCTION T sin(T x) { return kmath::sin(x); }
template <class T> KOKKOS_INLINE_FUNCTION T cos(T x) { return kmath::cos(x); }
template <class T> KOKKOS_INLINE_FUNCTION T exp(T x) { return kmath::exp(x); }
template <class T> KOKKOS_INLINE_FUNCTION T log(T x) { return kmath::log(x); }
template <class T> KOKKOS_INLINE_FUNCTION T sqrt(T x) { return kmath::sqrt(x); }
template <class T> KOKKOS_INLINE_FUNCTION T fabs(T x) { return kmath::fabs(x); }
template <class T> KOKKOS_INLINE_FUNCTION T floor(T x) { return kmath::floor(x); }
template <class T> KOKKOS_INLINE_FUNCTION T max(T a, T b) { return a < b ? b : a; }
template <class T> KOKKOS_INLINE_FUNCTION T min(T a, T b) { return b < a ? b : a; }

template <class T> KOKKOS_INLINE_FUNCTION constexpr T pi() { return T(3.141592653589793238462643383279502884L); }

// sin(x) and cos(x) together for |x| < 8192 without a library call (float):
// Cody-Waite reduction by pi/2 in three parts (the first has 8 bits, so q
// times it is exact there), then Cephes' minimax polynomials on
// [-pi/4, pi/4]. Within 1e-7 of the exact values (9.4e-8 over the range;
// glibc's sincosf: 3e-8) and branch-free. Callers keep |x| below 8192
// (the Fourier encoding checks each sample); double goes to sin and cos.
template <class T> KOKKOS_INLINE_FUNCTION void sincos_reduced(T x, T& s, T& c) {
  s = sin(x);
  c = cos(x);
}
template <> KOKKOS_INLINE_FUNCTION void sincos_reduced<float>(float x, float& s, float& c) {
  // q = round(x / (pi/2)) by adding and subtracting 1.5 * 2^23.
  const float q = (x * 0.636619772367581343f + 12582912.0f) - 12582912.0f;
  const float r = ((x - q * 1.5703125f) - q * 4.837512969970703125e-4f) - q * 7.54978995489188216e-8f;
  const float r2 = r * r;
  const float sr = r + r * r2 * (-1.6666654611e-1f + r2 * (8.3321608736e-3f + r2 * -1.9515295891e-4f));
  const float cr =
      1.0f - 0.5f * r2 + r2 * r2 * (4.166664568298827e-2f + r2 * (-1.388731625493765e-3f + r2 * 2.443315711809948e-5f));
  const int quadrant = static_cast<int>(q);
  const float a = (quadrant & 1) ? cr : sr, b = (quadrant & 1) ? sr : cr;
  s = (quadrant & 2) ? -a : a;
  c = ((quadrant + 1) & 2) ? -b : b;
}

// The standard normal's quantile Phi^-1(p) for 0 < p < 1: Acklam's rational
// approximations (relative error under 1.2e-9), a central one and one per
// tail in sqrt(-2 log p).
KOKKOS_INLINE_FUNCTION double normal_quantile(double p) {
  const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                       1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                       -1.328068155288572e+01};
  const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                       -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
  const double low = 0.02425;
  if (p < low || p > 1 - low) {
    const double q = sqrt(-2 * log(p < low ? p : 1 - p));
    const double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                     ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < low ? x : -x;
  }
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace mcinr::math
