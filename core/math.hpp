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

}  // namespace mcinr::math
