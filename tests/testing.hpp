#pragma once
// Small helpers shared by the tests: host copies and random device data.
#include <Kokkos_Core.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "mcinr/backends/types.hpp"
#include "mcinr/core/random.hpp"

namespace mcinr::testing {

// An empty scratch folder of the system's temporary folder, named for a test.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("mcinr_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

template <class View> std::vector<typename View::non_const_value_type> to_host(const View& view) {
  auto mirror = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), view);
  std::vector<typename View::non_const_value_type> out;
  if constexpr (View::rank == 1) {
    for (std::size_t i = 0; i < mirror.extent(0); ++i) out.push_back(mirror(i));
  } else {
    for (std::size_t j = 0; j < mirror.extent(1); ++j)
      for (std::size_t i = 0; i < mirror.extent(0); ++i) out.push_back(mirror(i, j));
  }
  return out;
}

// Fills a device matrix with uniform values in [lo, hi) from the test stream.
template <class Scalar>
Matrix<Scalar> random_matrix(const char* label, std::size_t rows, std::size_t cols, double lo, double hi,
                             std::uint64_t seed) {
  Matrix<Scalar> m(std::string(label), rows, cols);
  auto host = Kokkos::create_mirror_view(m);
  const auto stream = static_cast<std::uint64_t>(random::Stream::test_data);
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i)
      host(i, j) = Scalar(lo + (hi - lo) * random::uniform(seed, stream, j * rows + i));
  Kokkos::deep_copy(m, host);
  return m;
}

// ||a - b|| / ||b|| (0 when both are zero).
template <class A, class B> double relative_error(const std::vector<A>& a, const std::vector<B>& b) {
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = double(a[i]) - double(b[i]);
    diff += d * d;
    norm += double(b[i]) * double(b[i]);
  }
  if (norm == 0) return std::sqrt(diff);
  return std::sqrt(diff / norm);
}

// Central differences of loss() in each entry of a device View (step h),
// the entries restored afterwards: the reference side of gradient checks.
template <class View, class Loss>
std::vector<double> central_differences(const View& values, const Loss& loss, double h = 1e-6) {
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
  std::vector<double> grad;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const double saved = host.data()[k];
    host.data()[k] = saved + h;
    Kokkos::deep_copy(values, host);
    const double up = loss();
    host.data()[k] = saved - h;
    Kokkos::deep_copy(values, host);
    const double down = loss();
    host.data()[k] = saved;
    Kokkos::deep_copy(values, host);
    grad.push_back((up - down) / (2 * h));
  }
  return grad;
}

}  // namespace mcinr::testing
