// Fuzzes the NIfTI reader (header and voxel data, plain and gzipped): the
// first byte picks ".nii" or ".nii.gz", the rest is the file.
#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/io/nifti.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string path = mcinr::fuzz::as_file(data + 1, size - 1, (data[0] & 1) ? "input.nii.gz" : "input.nii");
  try {
    const mcinr::io::Volume volume = mcinr::io::read_nifti(path, std::uint64_t(1) << 30);
    if (volume.voxels.size() != volume.geometry.voxels()) std::abort();
  } catch (const std::exception&) {
  }
  return 0;
}
