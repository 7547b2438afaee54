#include "mcinr/io/resample.hpp"
#include "mcinr/io/detail/itk_image.hpp"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
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

}  // namespace mcinr::io
