#include "mcinr/io/head_mask.hpp"

#include <itkBinaryFillholeImageFilter.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkOtsuThresholdImageFilter.h>
#include <itkRelabelComponentImageFilter.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "mcinr/io/detail/itk_image.hpp"

namespace mcinr::io {

namespace {

using MaskImage = itk::Image<std::uint8_t, 3>;
using LabelImage = itk::Image<std::uint32_t, 3>;

MaskImage::Pointer mask_image(const detail::FloatImage* like) {
  auto m = MaskImage::New();
  m->SetRegions(like->GetLargestPossibleRegion());
  m->SetSpacing(like->GetSpacing());
  m->SetOrigin(like->GetOrigin());
  m->SetDirection(like->GetDirection());
  m->Allocate();
  m->FillBuffer(0);
  return m;
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
  auto above = mask_image(input.GetPointer());
  std::uint8_t* a = above->GetBufferPointer();
  for (std::size_t i = 0; i < n; ++i) a[i] = image.voxels[i] > threshold ? 1 : 0;

  // The largest connected component (RelabelComponent sorts by size: label 1).
  auto components = itk::ConnectedComponentImageFilter<MaskImage, LabelImage>::New();
  components->SetInput(above);
  components->FullyConnectedOff();
  auto relabel = itk::RelabelComponentImageFilter<LabelImage, LabelImage>::New();
  relabel->SetInput(components->GetOutput());
  relabel->Update();
  auto largest = mask_image(input.GetPointer());
  const std::uint32_t* labels = relabel->GetOutput()->GetBufferPointer();
  std::uint8_t* l = largest->GetBufferPointer();
  for (std::size_t i = 0; i < n; ++i) l[i] = labels[i] == 1 ? 1 : 0;

  auto fill = itk::BinaryFillholeImageFilter<MaskImage>::New();
  fill->SetInput(largest);
  fill->SetForegroundValue(1);
  fill->FullyConnectedOff();
  fill->Update();
  const std::uint8_t* filled = fill->GetOutput()->GetBufferPointer();
  result.voxels.assign(filled, filled + n);
  fill_slice_holes(result.voxels, image.geometry);
  char text[200];
  std::snprintf(text, sizeof text, "Otsu head mask (threshold %.4g, largest connected component, holes filled in 3D and per slice)",
                threshold);
  result.method = text;
  return result;
}

}  // namespace mcinr::io
