// Fuzzes the transform file reader (io::read_transform: ITK's text
// transform files, the .tfm `mcinr register` writes).
#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/io/registration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mcinr::fuzz::as_file(data, size, "input.tfm");
  try {
    const mcinr::io::RigidTransform t = mcinr::io::read_transform(path);
    (void)t.apply({1, 2, 3});
  } catch (const std::exception&) {
  }
  return 0;
}
