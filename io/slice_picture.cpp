#include "mcinr/io/slice_picture.hpp"
#include "mcinr/io/detail/itk_image.hpp"

#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkPNGImageIO.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace mcinr::io {

void write_mid_slices(const std::string& path, const std::vector<const Volume*>& columns) {
  if (columns.empty()) throw std::invalid_argument("write_mid_slices: nothing to draw");
  const auto& s = columns.front()->geometry.size;
  for (const Volume* v : columns)
    if (v->geometry.size != s) throw std::invalid_argument("write_mid_slices: volumes on different grids");
  // Panel sizes: axial nx x ny, coronal nx x nz, sagittal ny x nz (width x height).
  const std::size_t widths[3] = {s[0], s[0], s[1]}, heights[3] = {s[1], s[2], s[2]};
  const std::size_t cell_w = std::max(s[0], s[1]), gap = 4;
  const std::size_t width = columns.size() * (cell_w + gap) + gap;
  std::size_t height = gap;
  for (auto h : heights) height += h + gap;

  using Picture = itk::Image<unsigned char, 2>;
  auto picture = Picture::New();
  Picture::RegionType region;
  region.SetSize(0, width);
  region.SetSize(1, height);
  picture->SetRegions(region);
  picture->Allocate();
  picture->FillBuffer(0);
  unsigned char* pixels = picture->GetBufferPointer();

  for (std::size_t col = 0; col < columns.size(); ++col) {
    const Volume& v = *columns[col];
    const auto [lo_it, hi_it] = std::minmax_element(v.voxels.begin(), v.voxels.end());
    const float lo = *lo_it, range = *hi_it > *lo_it ? *hi_it - *lo_it : 1.0f;
    std::size_t top = gap;
    for (int row = 0; row < 3; ++row) {
      const std::size_t left = gap + col * (cell_w + gap);
      for (std::size_t y = 0; y < heights[row]; ++y)
        for (std::size_t x = 0; x < widths[row]; ++x) {
          const std::size_t up = heights[row] - 1 - y;  // z (or y) grows upwards on screen
          float value;
          if (row == 0)
            value = v.at(x, up, s[2] / 2);
          else if (row == 1)
            value = v.at(x, s[1] / 2, up);
          else
            value = v.at(s[0] / 2, x, up);
          const float unit = std::clamp((value - lo) / range, 0.0f, 1.0f);
          pixels[(top + y) * width + left + x] = static_cast<unsigned char>(unit * 255.0f + 0.5f);
        }
      top += heights[row] + gap;
    }
  }
  auto format = itk::PNGImageIO::New();
  detail::write_itk_atomically<Picture>(path, ".png", picture, format);
}

}  // namespace mcinr::io
