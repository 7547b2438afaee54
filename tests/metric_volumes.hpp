#pragma once
// The closed-form test volumes of tests/reference/metrics_reference.py
// (20 x 18 x 16, float32, x fastest), shared by test_metrics.cpp and the
// generator of the command-line tests' NIfTI files.
#include <cmath>
#include <cstdint>
#include <vector>

namespace mcinr::testing {

struct MetricVolumes {
  static constexpr std::size_t nx = 20, ny = 18, nz = 16;
  std::vector<float> truth, pred, other;
  std::vector<std::uint8_t> mask;
  MetricVolumes() {
    for (std::size_t k = 0; k < nz; ++k)
      for (std::size_t j = 0; j < ny; ++j)
        for (std::size_t i = 0; i < nx; ++i) {
          const double t = 100 + 50 * std::sin(0.3 * i) * std::cos(0.2 * j) + 20.0 * k / nz;
          truth.push_back(float(t));
          pred.push_back(float(t + 5 * std::sin(1.7 * i + 0.9 * j + 0.4 * k)));
          other.push_back(float(30 + 10 * std::cos(0.25 * i + 0.1 * k) * std::sin(0.35 * j) + 0.5 * t));
          const double ex = (i - 9.5) / 8, ey = (j - 8.5) / 7, ez = (k - 7.5) / 6;
          mask.push_back(ex * ex + ey * ey + ez * ez <= 1);
        }
  }
};

}  // namespace mcinr::testing
