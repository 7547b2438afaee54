#pragma once
// 8-bit grey pictures as PNG bytes in memory, through libpng's simplified
// API (never encoded or parsed by hand): what the HTML reports embed, and
// the reading of a fit's slices.png for a cohort's thumbnails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mcinr::io {

// Rows top to bottom, each left to right: pixels[y * width + x].
struct GrayPicture {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;
  std::uint8_t at(std::size_t x, std::size_t y) const { return pixels[y * width + x]; }
};

// The picture as a grey 8-bit PNG file's bytes. std::invalid_argument for an
// empty picture or pixels that do not match its size.
std::string encode_png(const GrayPicture& picture);

// Any PNG (grey, colour, palette, 16-bit, with alpha: composited on black)
// as grey 8-bit. Sizes are checked before allocating: more than max_pixels
// is refused. Throws std::runtime_error "<name>: ..." (name: what to call
// the bytes in the message) for bytes that are not a whole, valid PNG.
GrayPicture decode_png(const std::string& bytes, const std::string& name = "PNG",
                       std::size_t max_pixels = std::size_t(1) << 26);

// decode_png of a file (at most 256 MB); std::runtime_error with the path
// for a missing or unreadable file.
GrayPicture read_png(const std::string& path, std::size_t max_pixels = std::size_t(1) << 26);

// The picture shrunk (each output pixel the mean of the input pixels it
// covers) to fit within max_width x max_height, keeping its aspect ratio;
// a picture that fits already is returned as it is.
GrayPicture shrink_to_fit(const GrayPicture& picture, std::size_t max_width, std::size_t max_height);

}  // namespace mcinr::io
