// Fuzzes the checkpoint reader (HDF5) and the checks infer and --resume make
// of what it read (pipeline::load_saved_field: ranges, sizes, finite values,
// the field rebuilt from it).
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/io/checkpoint.hpp"
#include "mcinr/pipeline/fit_state.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Kokkos::initialize();
  std::atexit(Kokkos::finalize);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mcinr::fuzz::as_file(data, size, "checkpoint.h5");
  try {
    (void)mcinr::io::read_checkpoint(path);
    (void)mcinr::pipeline::load_saved_field(path);
  } catch (const std::exception&) {
  }
  return 0;
}
