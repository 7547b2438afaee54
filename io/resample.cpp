#include "mcinr/io/resample.hpp"
#include "mcinr/io/detail/itk_image.hpp"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mcinr::io {

using Image = detail::FloatImage;

Volume resample(const Volume& image, const Geometry& grid, int order) {
  if (order != 0 && order != 1 && order != 3) throw std::invalid_argument("interpolation order must be 0, 1 or 3");
  auto resample = itk::ResampleImageFilter<Image, Image>::New();
  resample->SetInput(detail::to_itk_image(image));
  if (order == 0) resample->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<Image, double>::New());
  if (order == 1) resample->SetInterpolator(itk::LinearInterpolateImageFunction<Image, double>::New());
  if (order == 3) {
    auto bspline = itk::BSplineInterpolateImageFunction<Image, double, double>::New();
    bspline->SetSplineOrder(3);
    resample->SetInterpolator(bspline);
  }
  Image::SizeType size;
  Image::SpacingType spacing;
  Image::PointType origin;
  Image::DirectionType direction;
  for (int d = 0; d < 3; ++d) {
    size[d] = grid.size[d];
    spacing[d] = grid.spacing[d];
    origin[d] = grid.origin[d];
    for (int c = 0; c < 3; ++c) direction(d, c) = grid.direction[3 * d + c];
  }
  resample->SetSize(size);
  resample->SetOutputSpacing(spacing);
  resample->SetOutputOrigin(origin);
  resample->SetOutputDirection(direction);
  resample->SetDefaultPixelValue(0);
  resample->Update();
  Volume hr;
  hr.geometry = grid;
  const float* buffer = resample->GetOutput()->GetBufferPointer();
  hr.voxels.assign(buffer, buffer + grid.voxels());
  return hr;
}

namespace {

// The volume blurred by a Gaussian of sigma mm along the axes other than
// `axis` (separable, truncated at 4 sigma, edge voxels repeated).
std::vector<float> in_plane_low_pass(const Volume& v, int axis, double sigma_mm) {
  std::vector<float> out = v.voxels;
  const auto& size = v.geometry.size;
  const std::size_t stride[3] = {1, size[0], size[0] * size[1]};
  for (int a = 0; a < 3; ++a) {
    if (a == axis || size[a] < 2) continue;
    const double sigma = sigma_mm / v.geometry.spacing[a];
    const long reach = long(std::ceil(4 * sigma));
    std::vector<double> kernel(std::size_t(2 * reach + 1));
    double total = 0;
    for (long d = -reach; d <= reach; ++d)
      total += kernel[std::size_t(d + reach)] = std::exp(-0.5 * d * d / (sigma * sigma));
    for (double& w : kernel) w /= total;
    const std::vector<float> in = out;
    const long n = long(size[a]);
    for (std::size_t start = 0; start < in.size(); ++start) {
      const long at = long((start / stride[a]) % size[a]);
      const std::size_t line = start - std::size_t(at) * stride[a];
      double sum = 0;
      for (long d = -reach; d <= reach; ++d) {
        const long q = std::min(std::max(at + d, 0L), n - 1);
        sum += kernel[std::size_t(d + reach)] * in[line + std::size_t(q) * stride[a]];
      }
      out[start] = float(sum);
    }
  }
  return out;
}

}  // namespace

Volume resample_fading_detail(const Volume& image, const Geometry& grid, double detail_mm, double power) {
  const Geometry& g = image.geometry;
  const int axis = g.thickest_axis();
  double fine = 0;
  for (int a = 0; a < 3; ++a)
    if (a != axis) fine = fine == 0 ? g.spacing[a] : std::min(fine, g.spacing[a]);
  const std::size_t n = g.size[axis];
  if (!(detail_mm > 0) || power == 1 || g.spacing[axis] < 1.5 * fine || n < 2) return resample(image, grid, 1);
  if (!(power > 0 && power <= 100)) throw std::invalid_argument("the detail's power must be in (0, 100]");

  const std::vector<float> low = in_plane_low_pass(image, axis, detail_mm);
  // The intermediate volume: the slice axis at about the in-plane spacing
  // (F steps per slice), from half a slice before the first to half a slice
  // after the last, constant beyond the end slices (as ITK's linear
  // interpolation is within the volume's half-voxel border).
  const std::size_t steps = std::max<std::size_t>(1, std::size_t(std::lround(g.spacing[axis] / fine)));
  const std::size_t half = (steps + 1) / 2;
  Volume fine_volume;
  fine_volume.geometry = g;
  fine_volume.geometry.size[axis] = (n - 1) * steps + 1 + 2 * half;
  fine_volume.geometry.spacing[axis] = g.spacing[axis] / double(steps);
  std::array<double, 3> first{0, 0, 0};
  first[axis] = -double(half) / double(steps);
  fine_volume.geometry.origin = g.world(first[0], first[1], first[2]);
  fine_volume.voxels.resize(fine_volume.geometry.voxels());
  // Each position along the slice axis: the slice below it and the four
  // weights (smooth part linear, detail faded), the same for every voxel of
  // that plane.
  struct Between {
    std::size_t below;
    double low0, low1, detail0, detail1;
  };
  std::vector<Between> between(fine_volume.geometry.size[axis]);
  for (std::size_t q = 0; q < between.size(); ++q) {
    const double u = std::min(std::max((double(q) - double(half)) / double(steps), 0.0), double(n - 1));
    const std::size_t below = std::min(std::size_t(u), n - 2);
    const double t = u - double(below);
    between[q] = {below, 1 - t, t, std::pow(1 - t, power), std::pow(t, power)};
  }
  const auto& fs = fine_volume.geometry.size;
  const std::size_t stride_in[3] = {1, g.size[0], g.size[0] * g.size[1]};
  for (std::size_t k = 0; k < fs[2]; ++k)
    for (std::size_t j = 0; j < fs[1]; ++j)
      for (std::size_t i = 0; i < fs[0]; ++i) {
        const std::size_t at[3] = {i, j, k};
        const Between& b = between[at[axis]];
        std::size_t base = 0;
        for (int a = 0; a < 3; ++a)
          if (a != axis) base += at[a] * stride_in[a];
        const std::size_t p0 = base + b.below * stride_in[axis], p1 = p0 + stride_in[axis];
        const double detail0 = double(image.voxels[p0]) - low[p0], detail1 = double(image.voxels[p1]) - low[p1];
        fine_volume.voxels[i + fs[0] * (j + fs[1] * k)] =
            float(b.low0 * low[p0] + b.low1 * low[p1] + b.detail0 * detail0 + b.detail1 * detail1);
      }
  return resample(fine_volume, grid, 1);
}

}  // namespace mcinr::io
