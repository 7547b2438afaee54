#include "mcinr/io/head_mask.hpp"

#include <itkOtsuThresholdImageFilter.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "mcinr/io/detail/itk_image.hpp"

namespace mcinr::io {

namespace {

using MaskImage = itk::Image<std::uint8_t, 3>;

// The 6-neighbours of voxel v (x fastest) on grid g, into out; returns how many.
int neighbours(std::size_t v, const Geometry& g, std::size_t out[6]) {
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2], plane = nx * ny;
  const std::size_t i = v % nx, j = (v / nx) % ny, k = v / plane;
  int count = 0;
  if (i > 0) out[count++] = v - 1;
  if (i + 1 < nx) out[count++] = v + 1;
  if (j > 0) out[count++] = v - nx;
  if (j + 1 < ny) out[count++] = v + nx;
  if (k > 0) out[count++] = v - plane;
  if (k + 1 < nz) out[count++] = v + plane;
  return count;
}

// Keeps the largest 6-connected component of the mask (a flood fill per
// component; the first of equal ones).
void keep_largest_component(std::vector<std::uint8_t>& mask, const Geometry& g) {
  std::vector<std::uint32_t> label(mask.size(), 0);
  std::vector<std::size_t> stack;
  std::uint32_t next = 0, best = 0;
  std::size_t best_size = 0;
  std::size_t around[6];
  for (std::size_t seed = 0; seed < mask.size(); ++seed) {
    if (!mask[seed] || label[seed]) continue;
    ++next;
    std::size_t size = 0;
    label[seed] = next;
    stack.assign(1, seed);
    while (!stack.empty()) {
      const std::size_t v = stack.back();
      stack.pop_back();
      ++size;
      for (int n = neighbours(v, g, around); n-- > 0;)
        if (mask[around[n]] && !label[around[n]]) {
          label[around[n]] = next;
          stack.push_back(around[n]);
        }
    }
    if (size > best_size) best = next, best_size = size;
  }
  for (std::size_t v = 0; v < mask.size(); ++v) mask[v] = label[v] == best && best != 0 ? 1 : 0;
}

// Fills the holes: background voxels not 6-connected to the volume's border
// become mask.
void fill_holes(std::vector<std::uint8_t>& mask, const Geometry& g) {
  std::vector<std::uint8_t> outside(mask.size(), 0);
  std::vector<std::size_t> stack;
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  for (std::size_t v = 0; v < mask.size(); ++v) {
    const std::size_t i = v % nx, j = (v / nx) % ny, k = v / (nx * ny);
    const bool border = i == 0 || j == 0 || k == 0 || i + 1 == nx || j + 1 == ny || k + 1 == nz;
    if (border && !mask[v]) {
      outside[v] = 1;
      stack.push_back(v);
    }
  }
  std::size_t around[6];
  while (!stack.empty()) {
    const std::size_t v = stack.back();
    stack.pop_back();
    for (int n = neighbours(v, g, around); n-- > 0;)
      if (!mask[around[n]] && !outside[around[n]]) {
        outside[around[n]] = 1;
        stack.push_back(around[n]);
      }
  }
  for (std::size_t v = 0; v < mask.size(); ++v)
    if (!outside[v]) mask[v] = 1;
}

// Holes in each slice across the thick axis filled too: a head cut by the
// field of view is open at the volume's face, so the 3D fill leaves a dark
// ventricle or sulcus that reaches that face; within a slice it is closed.
// Background pixels not 4-connected to the slice's border become mask.
void fill_slice_holes(std::vector<std::uint8_t>& mask, const Geometry& g) {
  const int axis = g.thickest_axis();
  const int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;  // the in-plane axes
  const std::size_t nu = g.size[u], nv = g.size[v];
  const std::size_t stride[3] = {1, g.size[0], g.size[0] * g.size[1]};
  std::vector<std::uint8_t> outside(nu * nv);
  std::vector<std::size_t> stack;
  for (std::size_t s = 0; s < g.size[axis]; ++s) {
    auto at = [&](std::size_t a, std::size_t b) { return s * stride[axis] + a * stride[u] + b * stride[v]; };
    std::fill(outside.begin(), outside.end(), 0);
    stack.clear();
    auto seed = [&](std::size_t a, std::size_t b) {
      if (!mask[at(a, b)] && !outside[a + nu * b]) {
        outside[a + nu * b] = 1;
        stack.push_back(a + nu * b);
      }
    };
    for (std::size_t a = 0; a < nu; ++a) seed(a, 0), seed(a, nv - 1);
    for (std::size_t b = 0; b < nv; ++b) seed(0, b), seed(nu - 1, b);
    while (!stack.empty()) {
      const std::size_t p = stack.back();
      stack.pop_back();
      const std::size_t a = p % nu, b = p / nu;
      if (a > 0) seed(a - 1, b);
      if (a + 1 < nu) seed(a + 1, b);
      if (b > 0) seed(a, b - 1);
      if (b + 1 < nv) seed(a, b + 1);
    }
    for (std::size_t b = 0; b < nv; ++b)
      for (std::size_t a = 0; a < nu; ++a)
        if (!outside[a + nu * b]) mask[at(a, b)] = 1;
  }
}

}  // namespace

double mask_share(const std::vector<std::uint8_t>& mask) {
  if (mask.empty()) return 0;
  std::size_t in = 0;
  for (auto v : mask) in += v ? 1 : 0;
  return double(in) / double(mask.size());
}

HeadMask auto_head_mask(const Volume& image) {
  HeadMask result;
  const std::size_t n = image.voxels.size();
  std::size_t zeros = 0;
  for (float v : image.voxels) zeros += v == 0.0f ? 1 : 0;
  if (zeros >= n / 20) {
    result.voxels.resize(n);
    for (std::size_t i = 0; i < n; ++i) result.voxels[i] = image.voxels[i] != 0.0f ? 1 : 0;
    char text[160];
    std::snprintf(text, sizeof text, "nonzero voxels (the background is exactly 0 in %.0f%% of the scan)",
                  100.0 * double(zeros) / double(n));
    result.method = text;
    return result;
  }
  const auto input = detail::to_itk_image(image);
  double threshold = 0;
  try {
    using Otsu = itk::OtsuThresholdImageFilter<detail::FloatImage, MaskImage>;
    auto otsu = Otsu::New();
    otsu->SetInput(input);
    otsu->SetNumberOfHistogramBins(256);
    otsu->Update();
    threshold = otsu->GetThreshold();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(std::string("automatic mask: Otsu threshold failed (") + e.GetDescription() + ")");
  }
  result.voxels.resize(n);
  for (std::size_t i = 0; i < n; ++i) result.voxels[i] = image.voxels[i] > threshold ? 1 : 0;
  keep_largest_component(result.voxels, image.geometry);
  fill_holes(result.voxels, image.geometry);
  fill_slice_holes(result.voxels, image.geometry);
  char text[200];
  std::snprintf(text, sizeof text, "Otsu head mask (threshold %.4g, largest connected component, holes filled in 3D and per slice)",
                threshold);
  result.method = text;
  return result;
}

}  // namespace mcinr::io
