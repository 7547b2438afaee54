#pragma once
// ITK plumbing shared by io/: a Volume as an itk::Image, and the one atomic
// write path for ITK formats.
//
// write_itk_atomically writes an ITK image through a given ImageIO to `tmp`, then renames it onto
// `path`: the one atomic-write path of io/ for ITK formats. `tmp` must keep
// the format's suffix (ITK picks compression by it). Throws
// std::runtime_error "<path>: cannot write ..." and leaves no temporary file.
#include <itkImage.h>
#include <itkImageFileWriter.h>

#include <algorithm>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "io/nifti.hpp"

namespace mcinr::io::detail {

using FloatImage = itk::Image<float, 3>;

// The volume's voxels and full geometry as an ITK image.
inline FloatImage::Pointer to_itk_image(const Volume& v) {
  auto image = FloatImage::New();
  FloatImage::RegionType region;
  FloatImage::SpacingType spacing;
  FloatImage::PointType origin;
  FloatImage::DirectionType direction;
  for (int d = 0; d < 3; ++d) {
    region.SetSize(d, v.geometry.size[d]);
    spacing[d] = v.geometry.spacing[d];
    origin[d] = v.geometry.origin[d];
    for (int c = 0; c < 3; ++c) direction(d, c) = v.geometry.direction[3 * d + c];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  std::copy(v.voxels.begin(), v.voxels.end(), image->GetBufferPointer());
  return image;
}

template <class Image>
void write_itk_atomically(const std::string& path, const std::string& tmp, Image* image, itk::ImageIOBase* format) {
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetImageIO(format);
  writer->SetFileName(tmp);
  writer->SetInput(image);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot write (" + e.GetDescription() + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename the written file into place");
  }
}

}  // namespace mcinr::io::detail
