// Fuzzes the PNG reader (a cohort's thumbnails read each fit's slices.png
// through it): the input is the file. What it reads must shrink, encode and
// decode again to the same pixels.
#include <cstdint>
#include <cstdlib>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/io/png.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mcinr::fuzz::as_file(data, size, "input.png");
  mcinr::io::GrayPicture picture;
  try {
    picture = mcinr::io::read_png(path, std::size_t(1) << 22);
  } catch (const std::exception&) {
    return 0;
  }
  if (picture.width == 0 || picture.height == 0 || picture.pixels.size() != picture.width * picture.height)
    std::abort();
  const mcinr::io::GrayPicture small = mcinr::io::shrink_to_fit(picture, 64, 48);
  if (small.width > 64 || small.height > 48 || small.pixels.size() != small.width * small.height) std::abort();
  if (mcinr::io::decode_png(mcinr::io::encode_png(small)).pixels != small.pixels) std::abort();
  return 0;
}
