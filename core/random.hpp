#pragma once
// Counter-based random numbers: value = f(seed, stream, counter). Nothing is
// carried from one draw to the next, so a draw is the same on every backend,
// in any thread order, and a fit's whole random state is (seed, epoch).
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdint>

#include "mcinr/core/math.hpp"

namespace mcinr::random {

// Streams: one per purpose, so that no two purposes share numbers.
enum class Stream : std::uint64_t {
  fourier_matrix = 1,
  weights = 2,
  shuffle = 3,
  test_data = 4,
  hash_table = 5,
  slice_profile = 6,
  background = 7,
};

// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix.
KOKKOS_INLINE_FUNCTION std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

KOKKOS_INLINE_FUNCTION std::uint64_t bits(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
  const std::uint64_t key = mix64(seed * 0x9e3779b97f4a7c15ULL + mix64(stream + 0x632be59bd9b4e019ULL));
  return mix64(key ^ mix64(counter + 0x9e3779b97f4a7c15ULL));
}

// Uniform in [0, 1) with 53 random bits; exact in double on every backend.
KOKKOS_INLINE_FUNCTION double uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
  return static_cast<double>(bits(seed, stream, counter) >> 11) * (1.0 / 9007199254740992.0);
}

// Standard normal by Box-Muller from two uniforms. Host only: it is used to
// draw small tables (the Fourier matrix) once, then copied to the device, so
// libm differences between host and device never reach the results.
inline double normal_host(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
  const double u1 = 1.0 - uniform(seed, stream, 2 * counter);  // (0, 1]
  const double u2 = uniform(seed, stream, 2 * counter + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.141592653589793238462643383279502884 * u2);
}

// A pseudo-random permutation of [0, n), evaluated per index on the device
// (a 4-round Feistel network on the next even power of two, with cycle
// walking). perm(i) for all i is a bijection; no table is stored.
class Permutation {
 public:
  Permutation() = default;
  Permutation(std::uint64_t n, std::uint64_t seed, std::uint64_t round) : n_(n) {
    int bits_needed = 1;
    while ((std::uint64_t(1) << bits_needed) < n && bits_needed < 62) ++bits_needed;
    half_bits_ = (bits_needed + 1) / 2;
    mask_ = (std::uint64_t(1) << half_bits_) - 1;
    for (int r = 0; r < 4; ++r) keys_[r] = bits(seed, static_cast<std::uint64_t>(Stream::shuffle), round * 4 + r);
  }

  KOKKOS_INLINE_FUNCTION std::uint64_t size() const { return n_; }

  KOKKOS_INLINE_FUNCTION std::uint64_t operator()(std::uint64_t i) const {
    std::uint64_t x = i;
    do {
      x = encrypt(x);
    } while (x >= n_);
    return x;
  }

 private:
  KOKKOS_INLINE_FUNCTION std::uint64_t encrypt(std::uint64_t x) const {
    std::uint64_t left = x >> half_bits_;
    std::uint64_t right = x & mask_;
    for (int r = 0; r < 4; ++r) {
      const std::uint64_t next = left ^ (mix64(right ^ keys_[r]) & mask_);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }

  std::uint64_t n_ = 0;
  int half_bits_ = 1;
  std::uint64_t mask_ = 1;
  std::uint64_t keys_[4] = {0, 0, 0, 0};
};

}  // namespace mcinr::random
