// Writes the PNG fuzz target's seeds into the folder given (image files are
// never committed): grey, grey + alpha, RGB, RGBA, 16-bit and palette
// pictures through libpng's simplified API, and damaged ones: cut short, a
// flipped byte in the pixel data, a header declaring 100000 x 100000 pixels
// (its CRC right), and text.
//   make_png_seeds DIR
#include <png.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::string png_bytes(std::uint32_t format, std::uint32_t width, std::uint32_t height) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  const bool palette = format & PNG_FORMAT_FLAG_COLORMAP;
  if (palette) image.colormap_entries = 16;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(image));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = std::uint8_t((i * 7 + i / 13) % (palette ? 16 : 256));
  std::vector<std::uint8_t> colormap(palette ? PNG_IMAGE_COLORMAP_SIZE(image) : 1);
  for (std::size_t i = 0; i < colormap.size(); ++i) colormap[i] = std::uint8_t(255 - i * 5);
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(image, size, 0, pixels.data(), 0, colormap.data())) return {};
  std::string bytes(size, '\0');
  if (!png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels.data(), 0, colormap.data())) return {};
  bytes.resize(size);
  return bytes;
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc != 2) {
    std::cerr << "usage: make_png_seeds DIR\n";
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  auto save = [&](const std::string& name, const std::string& bytes) {
    if (bytes.empty()) {
      std::cerr << "make_png_seeds: libpng could not write " << name << "\n";
      std::exit(1);
    }
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };
  const std::string gray = png_bytes(PNG_FORMAT_GRAY, 37, 23);
  save("gray.png", gray);
  save("gray_alpha.png", png_bytes(PNG_FORMAT_GA, 20, 11));
  save("rgb.png", png_bytes(PNG_FORMAT_RGB, 16, 16));
  save("rgba.png", png_bytes(PNG_FORMAT_RGBA, 9, 31));
  save("gray16.png", png_bytes(PNG_FORMAT_LINEAR_Y, 12, 12));
  save("palette.png", png_bytes(PNG_FORMAT_RGB_COLORMAP, 24, 10));
  save("cut_short.png", gray.substr(0, gray.size() * 2 / 3));
  std::string flipped = gray;
  flipped[gray.find("IDAT") + 10] ^= 0x21;
  save("bit_flip.png", flipped);
  // IHDR: after the 8-byte signature, length (4), "IHDR", width, height
  // (big-endian), ...; its CRC covers the type and data (17 bytes).
  std::string huge = gray;
  for (int at : {16, 20}) {
    const std::uint32_t n = 100000;
    for (int b = 0; b < 4; ++b) huge[at + b] = char((n >> (24 - 8 * b)) & 0xFF);
  }
  const std::uint32_t crc = std::uint32_t(crc32(0, reinterpret_cast<const Bytef*>(huge.data() + 12), 17));
  for (int b = 0; b < 4; ++b) huge[29 + b] = char((crc >> (24 - 8 * b)) & 0xFF);
  save("huge_header.png", huge);
  save("text.png", "not a picture\n");
  return 0;
}
