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

// The sum of SSIM over the 7^3 windows that lie inside the box
// [at, at + extent) of two volumes of the given shape (extent >= 7 per
// axis). Window sums of x, y, xx, yy and xy are separable: one fused pass
// along x, one along y, and one along z that scores each window, over slabs
// of output planes so that the partial sums stay small (the 6 planes between
// slabs are filtered twice along x and y). Each window's five sums add their
// seven terms in the order the unfused filter did.
double ssim_window_sum(ConstVolumeD a, ConstVolumeD b, GridShape shape, const std::size_t at[3],
                       const std::size_t extent[3]) {
  using Sums = Kokkos::View<double* [5], Kokkos::LayoutLeft, MemSpace>;
  const std::size_t nx = shape.nx, ny = shape.ny;
  const std::size_t ex = extent[0], ey = extent[1], ox = ex - 6, oy = ey - 6, oz = extent[2] - 6;
  const std::size_t x0 = at[0], y0 = at[1], z0 = at[2];
  const std::size_t slab = std::min<std::size_t>(oz, 32);
  const Sums along_x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "ssim_along_x"), ox * ey * (slab + 6));
  const Sums along_xy(Kokkos::view_alloc(Kokkos::WithoutInitializing, "ssim_along_xy"), ox * oy * (slab + 6));
  const double count = 343.0, cov_norm = count / (count - 1.0);
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;  // (K R)^2 with data range R = 1
  double total = 0;
  for (std::size_t k0 = 0; k0 < oz; k0 += slab) {
    const std::size_t planes = std::min(slab, oz - k0), in_planes = planes + 6;
    Kokkos::parallel_for(
        "mcinr::ssim_along_x", Kokkos::RangePolicy<ExecSpace>(0, ox * ey * in_planes),
        KOKKOS_LAMBDA(const std::size_t o) {
          const std::size_t i = o % ox, j = (o / ox) % ey, k = o / (ox * ey);
          const std::size_t base = (x0 + i) + nx * ((y0 + j) + ny * (z0 + k0 + k));
          double s[5] = {0, 0, 0, 0, 0};
          for (int d = 0; d < 7; ++d) {
            const double x = a(base + d), y = b(base + d);
            s[0] += x;
            s[1] += y;
            s[2] += x * x;
            s[3] += y * y;
            s[4] += x * y;
          }
          for (int m = 0; m < 5; ++m) along_x(o, m) = s[m];
        });
    Kokkos::parallel_for(
        "mcinr::ssim_along_y", Kokkos::RangePolicy<ExecSpace>(0, ox * oy * in_planes),
        KOKKOS_LAMBDA(const std::size_t o) {
          const std::size_t i = o % ox, j = (o / ox) % oy, k = o / (ox * oy);
          const std::size_t base = i + ox * (j + ey * k);
          for (int m = 0; m < 5; ++m) {
            double s = 0;
            for (int d = 0; d < 7; ++d) s += along_x(base + d * ox, m);
            along_xy(o, m) = s;
          }
        });
    double part = 0;
    Kokkos::parallel_reduce(
        "mcinr::ssim_along_z", Kokkos::RangePolicy<ExecSpace>(0, ox * oy * planes),
        KOKKOS_LAMBDA(const std::size_t o, double& acc) {
          double s[5];
          for (int m = 0; m < 5; ++m) {
            s[m] = 0;
            for (int d = 0; d < 7; ++d) s[m] += along_xy(o + d * ox * oy, m);
          }
          const double ux = s[0] / count, uy = s[1] / count;
          const double vx = cov_norm * (s[2] / count - ux * ux);
          const double vy = cov_norm * (s[3] / count - uy * uy);
          const double vxy = cov_norm * (s[4] / count - ux * uy);
          acc += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        },
        part);
    total += part;
  }
  return total;
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
  if (!(top > 0)) return VolumeD("normalized", x.extent(0));  // zeros
  const VolumeD out(Kokkos::view_alloc(Kokkos::WithoutInitializing, "normalized"), x.extent(0));
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
  const std::size_t at[3] = {0, 0, 0}, extent[3] = {shape.nx, shape.ny, shape.nz};
  const double inner = double(shape.nx - 6) * double(shape.ny - 6) * double(shape.nz - 6);
  return ssim_window_sum(a, b, shape, at, extent) / inner;
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
  // it: they are the windows inside the box grown by 6 voxels (clipped to
  // the volume).
  const std::size_t n[3] = {shape.nx, shape.ny, shape.nz};
  std::size_t lo[3], hi[3];
  for (int d = 0; d < 3; ++d) {
    lo[d] = differ.lo[d] > 6 ? differ.lo[d] - 6 : 0;
    hi[d] = std::min(n[d], differ.hi[d] + 6);
  }
  const std::size_t extent[3] = {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
  const double inner = double(shape.nx - 6) * double(shape.ny - 6) * double(shape.nz - 6);
  const double touched = double(extent[0] - 6) * double(extent[1] - 6) * double(extent[2] - 6);
  return (ssim_window_sum(a, b, shape, lo, extent) + (inner - touched)) / inner;
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
