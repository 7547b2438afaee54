#include "mcinr/io/png.hpp"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mcinr::io {

namespace {

// The simplified API's control structure, freed whatever happens.
struct Image {
  png_image image;
  Image() {
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
  }
  ~Image() { png_image_free(&image); }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;
  std::string message() const { return image.message[0] ? image.message : "libpng failed"; }
};

}  // namespace

std::string encode_png(const GrayPicture& picture) {
  if (picture.width == 0 || picture.height == 0) throw std::invalid_argument("encode_png: an empty picture");
  if (picture.width > 0x7fffffff || picture.height > 0x7fffffff ||
      picture.pixels.size() / picture.width != picture.height || picture.pixels.size() % picture.width != 0)
    throw std::invalid_argument("encode_png: the pixels do not match the picture's size");
  Image png;
  png.image.width = png_uint_32(picture.width);
  png.image.height = png_uint_32(picture.height);
  png.image.format = PNG_FORMAT_GRAY;
  std::string bytes(PNG_IMAGE_PNG_SIZE_MAX(png.image), '\0');
  png_alloc_size_t size = bytes.size();
  if (!png_image_write_to_memory(&png.image, bytes.data(), &size, 0, picture.pixels.data(), 0, nullptr))
    throw std::runtime_error("encode_png: " + png.message());
  bytes.resize(size);
  return bytes;
}

GrayPicture decode_png(const std::string& bytes, const std::string& name, std::size_t max_pixels) {
  Image png;
  if (!png_image_begin_read_from_memory(&png.image, bytes.data(), bytes.size()))
    throw std::runtime_error(name + ": not a readable PNG (" + png.message() + ")");
  GrayPicture picture;
  picture.width = png.image.width;
  picture.height = png.image.height;
  if (picture.width == 0 || picture.height == 0 || picture.width > max_pixels / picture.height)
    throw std::runtime_error(name + ": a " + std::to_string(picture.width) + "x" + std::to_string(picture.height) +
                             " picture, more than the " + std::to_string(max_pixels) + " pixels allowed");
  png.image.format = PNG_FORMAT_GRAY;
  picture.pixels.assign(picture.width * picture.height, 0);  // alpha composites onto this (black)
  if (!png_image_finish_read(&png.image, nullptr, picture.pixels.data(), 0, nullptr))
    throw std::runtime_error(name + ": a damaged PNG (" + png.message() + ")");
  return picture;
}

GrayPicture read_png(const std::string& path, std::size_t max_pixels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read (" + std::strerror(errno) + ")");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  constexpr std::streamoff limit = std::streamoff(256) << 20;
  if (size < 0) throw std::runtime_error(path + ": cannot read (not a regular file)");
  if (size > limit) throw std::runtime_error(path + ": more than 256 MB, too large for a PNG picture");
  in.seekg(0);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), size)) throw std::runtime_error(path + ": cannot read (short read)");
  return decode_png(bytes, path, max_pixels);
}

GrayPicture shrink_to_fit(const GrayPicture& picture, std::size_t max_width, std::size_t max_height) {
  if (max_width == 0 || max_height == 0) throw std::invalid_argument("shrink_to_fit: a zero size");
  if (picture.width <= max_width && picture.height <= max_height) return picture;
  // One scale for both axes: the tighter of the two limits.
  const double scale = std::min(double(max_width) / picture.width, double(max_height) / picture.height);
  GrayPicture out;
  out.width = std::clamp<std::size_t>(std::size_t(picture.width * scale + 0.5), 1, max_width);
  out.height = std::clamp<std::size_t>(std::size_t(picture.height * scale + 0.5), 1, max_height);
  std::vector<std::uint64_t> sum(out.width * out.height, 0), count(out.width * out.height, 0);
  for (std::size_t y = 0; y < picture.height; ++y) {
    const std::size_t oy = y * out.height / picture.height;
    for (std::size_t x = 0; x < picture.width; ++x) {
      const std::size_t o = oy * out.width + x * out.width / picture.width;
      sum[o] += picture.pixels[y * picture.width + x];
      ++count[o];
    }
  }
  out.pixels.resize(sum.size());
  for (std::size_t i = 0; i < sum.size(); ++i) out.pixels[i] = std::uint8_t((sum[i] + count[i] / 2) / count[i]);
  return out;
}

}  // namespace mcinr::io
