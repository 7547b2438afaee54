#pragma once
// Writes an ITK image through a given ImageIO to `tmp`, then renames it onto
// `path`: the one atomic-write path of io/ for ITK formats. `tmp` must keep
// the format's suffix (ITK picks compression by it). Throws
// std::runtime_error "<path>: cannot write ..." and leaves no temporary file.
#include <itkImageFileWriter.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace mcinr::io::detail {

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
