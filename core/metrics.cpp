#include "mcinr/core/metrics.hpp"

#include "mcinr/core/reductions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace mcinr {

namespace {

using ConstVolumeD = Kokkos::View<const double*, MemSpace>;

void check_same_size(std::size_t a, std::size_t b, const char* what) {
  if (a != b) throw std::logic_error(std::string(what) + ": volumes differ in size");
}

// out(i, j, k) = sum of in over a 7-voxel run along one axis, for the
// positions whose run lies inside: a separable pass of the 7^3 box filter.
// Shapes shrink by 6 along the filtered axis.
void box7(ConstVolumeD in, GridShape s, int axis, VolumeD out, GridShape& result) {
  result = s;
  std::size_t stride = 1;
  if (axis == 0) result.nx -= 6;
  if (axis == 1) {
    result.ny -= 6;
    stride = s.nx;
  }
  if (axis == 2) {
    result.nz -= 6;
    stride = s.nx * s.ny;
  }
  const GridShape r = result;
  Kokkos::parallel_for(
      "mcinr::box7", Kokkos::RangePolicy<ExecSpace>(0, r.size()), KOKKOS_LAMBDA(const std::size_t o) {
        const std::size_t i = o % r.nx, j = (o / r.nx) % r.ny, k = o / (r.nx * r.ny);
        const std::size_t base = i + s.nx * (j + s.ny * k);
        double sum = 0;
        for (int d = 0; d < 7; ++d) sum += in(base + d * stride);
        out(o) = sum;
      });
}

// numpy.histogram2d's uniform bins: [lo, hi) each, the last one closed. A
// constant image has one occupied bin (numpy uses the middle one, we bin 0:
// the MI is the same).
KOKKOS_INLINE_FUNCTION int histogram_bin(double v, double lo, double hi, int bins) {
  if (!(hi > lo)) return 0;
  const int k = static_cast<int>((v - lo) / (hi - lo) * bins);
  return k < 0 ? 0 : (k >= bins ? bins - 1 : k);
}

}  // namespace

VolumeD reference_normalize(ConstVolume x, ConstMask mask, const bool flat_is_zero) {
  if (mask.extent(0) > 0) check_same_size(x.extent(0), mask.extent(0), "reference_normalize");
  const ValueRange in_mask = value_range(x, mask);
  const double shift = in_mask.lo;
  double top = std::numeric_limits<double>::lowest();
  Kokkos::parallel_reduce(
      "mcinr::shifted_max", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, double& m) {
        if (double(x(i)) - shift > m) m = double(x(i)) - shift;
      },
      Kokkos::Max<double>(top));
  if (!(top > 0) && !flat_is_zero) throw std::invalid_argument("reference_normalize: constant image");
  VolumeD out("normalized", x.extent(0));  // zeros
  if (!(top > 0)) return out;
  const bool masked = mask.extent(0) > 0;
  Kokkos::parallel_for(
      "mcinr::normalize", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)), KOKKOS_LAMBDA(const std::size_t i) {
        const double v = (double(x(i)) - shift) / top;
        out(i) = masked ? v * double(mask(i)) : v;
      });
  return out;
}

double psnr(ConstVolumeD a, ConstVolumeD b) {
  check_same_size(a.extent(0), b.extent(0), "psnr");
  double sse = 0;
  Kokkos::parallel_reduce(
      "mcinr::psnr", Kokkos::RangePolicy<ExecSpace>(0, a.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, double& s) { s += (a(i) - b(i)) * (a(i) - b(i)); }, sse);
  return 10.0 * std::log10(1.0 / (sse / double(a.extent(0))));
}

double ssim(ConstVolumeD a, ConstVolumeD b, GridShape shape) {
  check_same_size(a.extent(0), b.extent(0), "ssim");
  check_same_size(a.extent(0), shape.size(), "ssim");
  if (shape.nx < 7 || shape.ny < 7 || shape.nz < 7) throw std::invalid_argument("ssim: volume smaller than 7^3");
  // Window sums of x, y, xx, yy, xy by three separable passes each.
  const std::size_t n = shape.size();
  VolumeD moment("moment", n), pass_a("pass_a", n), pass_b("pass_b", n);
  GridShape inner;
  std::vector<VolumeD> sums;
  for (int m = 0; m < 5; ++m) {
    Kokkos::parallel_for(
        "mcinr::ssim_moment", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) {
          const double x = a(i), y = b(i);
          moment(i) = m == 0 ? x : m == 1 ? y : m == 2 ? x * x : m == 3 ? y * y : x * y;
        });
    GridShape s1, s2;
    box7(moment, shape, 0, pass_a, s1);
    box7(pass_a, s1, 1, pass_b, s2);
    VolumeD sum("window_sum", s2.nx * s2.ny * (s2.nz - 6));
    box7(pass_b, s2, 2, sum, inner);
    sums.push_back(sum);
  }
  const double count = 343.0, cov_norm = count / (count - 1.0);
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;  // (K R)^2 with data range R = 1
  const VolumeD sx = sums[0], sy = sums[1], sxx = sums[2], syy = sums[3], sxy = sums[4];
  double total = 0;
  Kokkos::parallel_reduce(
      "mcinr::ssim", Kokkos::RangePolicy<ExecSpace>(0, inner.size()),
      KOKKOS_LAMBDA(const std::size_t i, double& acc) {
        const double ux = sx(i) / count, uy = sy(i) / count;
        const double vx = cov_norm * (sxx(i) / count - ux * ux);
        const double vy = cov_norm * (syy(i) / count - uy * uy);
        const double vxy = cov_norm * (sxy(i) / count - ux * uy);
        acc += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      },
      total);
  return total / double(inner.size());
}

VoxelBox mask_box(ConstMask mask, GridShape shape) {
  check_same_size(mask.extent(0), shape.size(), "mask_box");
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mask);
  VoxelBox box;
  bool any = false;
  for (std::size_t k = 0; k < shape.nz; ++k)
    for (std::size_t j = 0; j < shape.ny; ++j)
      for (std::size_t i = 0; i < shape.nx; ++i) {
        if (!host(i + shape.nx * (j + shape.ny * k))) continue;
        const std::size_t at[3] = {i, j, k};
        for (int a = 0; a < 3; ++a) {
          box.lo[a] = any ? std::min(box.lo[a], at[a]) : at[a];
          box.hi[a] = any ? std::max(box.hi[a], at[a] + 1) : at[a] + 1;
        }
        any = true;
      }
  return box;
}

double ssim(ConstVolumeD a, ConstVolumeD b, GridShape shape, const VoxelBox& differ) {
  check_same_size(a.extent(0), shape.size(), "ssim");
  check_same_size(b.extent(0), shape.size(), "ssim");
  if (shape.nx < 7 || shape.ny < 7 || shape.nz < 7) throw std::invalid_argument("ssim: volume smaller than 7^3");
  if (differ.empty()) return 1.0;  // a == b everywhere
  // The windows that touch the box have their centres within 3 voxels of
  // it; they need the box plus 6 voxels. The crop's own inner windows are
  // exactly those (clipped to the volume's).
  const std::size_t n[3] = {shape.nx, shape.ny, shape.nz};
  std::size_t lo[3], hi[3];
  for (int d = 0; d < 3; ++d) {
    lo[d] = differ.lo[d] > 6 ? differ.lo[d] - 6 : 0;
    hi[d] = std::min(n[d], differ.hi[d] + 6);
  }
  const GridShape crop{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
  if (crop.size() == shape.size()) return ssim(a, b, shape);
  VolumeD ca("ssim_crop_a", crop.size()), cb("ssim_crop_b", crop.size());
  const std::size_t x0 = lo[0], y0 = lo[1], z0 = lo[2];
  Kokkos::parallel_for(
      "mcinr::ssim_crop", Kokkos::RangePolicy<ExecSpace>(0, crop.size()), KOKKOS_LAMBDA(const std::size_t o) {
        const std::size_t i = o % crop.nx, j = (o / crop.nx) % crop.ny, k = o / (crop.nx * crop.ny);
        const std::size_t from = (i + x0) + shape.nx * ((j + y0) + shape.ny * (k + z0));
        ca(o) = a(from);
        cb(o) = b(from);
      });
  const double inner = double(shape.nx - 6) * double(shape.ny - 6) * double(shape.nz - 6);
  const double touched = double(crop.nx - 6) * double(crop.ny - 6) * double(crop.nz - 6);
  return (ssim(ca, cb, crop) * touched + (inner - touched)) / inner;
}

double psnr_reference(ConstVolume prediction, ConstVolume truth, ConstMask mask) {
  return psnr(reference_normalize(prediction, mask), reference_normalize(truth, mask));
}

double ssim_reference(ConstVolume prediction, ConstVolume truth, ConstMask mask, GridShape shape) {
  const VolumeD a = reference_normalize(prediction, mask), b = reference_normalize(truth, mask);
  return mask.extent(0) > 0 ? ssim(a, b, shape, mask_box(mask, shape)) : ssim(a, b, shape);
}

double mutual_information(ConstVolume a, ConstVolume b, ConstMask mask, int bins) {
  check_same_size(a.extent(0), b.extent(0), "mutual_information");
  if (mask.extent(0) > 0) check_same_size(a.extent(0), mask.extent(0), "mutual_information");
  if (bins < 2) throw std::invalid_argument("mutual_information: at least 2 bins");
  const ValueRange ra = value_range(a, mask), rb = value_range(b, mask);
  if (ra.empty() || rb.empty())
    throw std::runtime_error("mutual_information: no finite value inside the mask (has the fit diverged?)");
  const bool masked = mask.extent(0) > 0;
  Kokkos::View<std::uint64_t**, Kokkos::LayoutLeft, MemSpace> joint("joint_histogram", bins, bins);
  Kokkos::parallel_for(
      "mcinr::joint_histogram", Kokkos::RangePolicy<ExecSpace>(0, a.extent(0)), KOKKOS_LAMBDA(const std::size_t i) {
        if (masked && !mask(i)) return;
        Kokkos::atomic_add(&joint(histogram_bin(a(i), ra.lo, ra.hi, bins), histogram_bin(b(i), rb.lo, rb.hi, bins)),
                           std::uint64_t(1));
      });
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), joint);
  double total = 0;
  std::vector<double> pa(bins, 0), pb(bins, 0);
  for (int i = 0; i < bins; ++i)
    for (int j = 0; j < bins; ++j) {
      total += double(host(i, j));
      pa[i] += double(host(i, j));
      pb[j] += double(host(i, j));
    }
  double mi = 0;
  for (int i = 0; i < bins; ++i)
    for (int j = 0; j < bins; ++j) {
      if (host(i, j) == 0) continue;
      const double p = double(host(i, j)) / total;
      mi += p * std::log(p / ((pa[i] / total) * (pb[j] / total)));
    }
  return mi;
}

}  // namespace mcinr
