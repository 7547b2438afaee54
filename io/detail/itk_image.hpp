#pragma once
// ITK plumbing shared by io/: a Volume as an itk::Image, and writing an ITK
// image through a given ImageIO atomically (io/atomic_file.hpp). `suffix` is
// the format's (".nii.gz", ".png"): ITK picks compression by the temporary
// file's name. Throws std::runtime_error "<path>: cannot write ..." and
// leaves no temporary file.
#include <itkImage.h>
#include <itkImageFileWriter.h>

#include <algorithm>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "mcinr/io/atomic_file.hpp"
#include "mcinr/io/nifti.hpp"

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
void write_itk_atomically(const std::string& path, const std::string& suffix, Image* image, itk::ImageIOBase* format) {
  AtomicFile file(path, suffix);
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetImageIO(format);
  writer->SetFileName(file.temporary_path());
  writer->SetInput(image);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(path + ": cannot write (" + e.GetDescription() + ")");
  }
  file.commit();
}

}  // namespace mcinr::io::detail
