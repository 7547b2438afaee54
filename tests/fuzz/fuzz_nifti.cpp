// Fuzzes the NIfTI reader (header and voxel data, plain and gzipped): the
// input is the file, named .nii.gz where it starts with gzip's magic.
#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/io/nifti.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = mcinr::fuzz::as_file(data, size, gzipped ? "input.nii.gz" : "input.nii");
  try {
    const mcinr::io::Volume volume = mcinr::io::read_nifti(path, std::uint64_t(1) << 30);
    if (volume.voxels.size() != volume.geometry.voxels()) std::abort();
  } catch (const std::exception&) {
  }
  return 0;
}
