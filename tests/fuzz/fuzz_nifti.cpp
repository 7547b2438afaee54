// Fuzzes the NIfTI reader (header and voxel data, plain and gzipped): the
// input is the file, named .nii.gz where it starts with gzip's magic. Then
// the header rewrite of `mcinr register` (niftilib's header reader and our
// raw copy of the rest) on the same file, with the geometry read (or a
// made-up one where the read refused the file).
#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/io/nifti.hpp"
#include "mcinr/io/registration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = mcinr::fuzz::as_file(data, size, gzipped ? "input.nii.gz" : "input.nii");
  mcinr::io::Geometry geometry;
  geometry.size = {2, 2, 2};
  try {
    const mcinr::io::Volume volume = mcinr::io::read_nifti(path, std::uint64_t(1) << 30);
    if (volume.voxels.size() != volume.geometry.voxels()) std::abort();
    geometry = volume.geometry;
    geometry.origin[0] += 1.5;
  } catch (const std::exception&) {
  }
  try {
    mcinr::io::rewrite_nifti_geometry(path, (mcinr::fuzz::scratch() / "rewritten.nii").string(), geometry);
  } catch (const std::exception&) {
  }
  return 0;
}
