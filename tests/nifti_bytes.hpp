#pragma once
// A NIfTI-1 file written byte by byte, not through ITK or niftilib: what a
// scanner's converter may hand us (int16 voxels with a scaling), with a
// header the tests know field by field.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace mcinr::testing {

// int16 voxels (x fastest) with the scaling 0.5 v - 3 (scl_slope,
// scl_inter), a description, the sform (code 1) from the given RAS affine
// (srow_x, srow_y, srow_z), no qform; pixdim from the affine's columns.
inline void write_int16_nifti(const std::string& path, const std::array<short, 3>& dims, const float affine[12],
                              const std::vector<std::int16_t>& voxels) {
  unsigned char h[352] = {};
  auto put = [&](int offset, const void* value, std::size_t bytes) { std::memcpy(h + offset, value, bytes); };
  const std::int32_t size = 348;
  put(0, &size, 4);
  const std::int16_t dim[8] = {3, dims[0], dims[1], dims[2], 1, 1, 1, 1};
  put(40, dim, 16);
  const std::int16_t datatype = 4, bitpix = 16;  // DT_INT16
  put(70, &datatype, 2);
  put(72, &bitpix, 2);
  float pixdim[8] = {1, 0, 0, 0, 1, 1, 1, 1};
  for (int c = 0; c < 3; ++c)
    pixdim[c + 1] = std::sqrt(affine[c] * affine[c] + affine[4 + c] * affine[4 + c] + affine[8 + c] * affine[8 + c]);
  put(76, pixdim, 32);
  const float vox_offset = 352, slope = 0.5f, inter = -3;
  put(108, &vox_offset, 4);
  put(112, &slope, 4);
  put(116, &inter, 4);
  h[123] = 2;  // xyzt_units: mm
  std::strcpy(reinterpret_cast<char*>(h + 148), "mcinr test");
  const std::int16_t sform_code = 1;
  put(254, &sform_code, 2);
  put(280, affine, 48);
  std::memcpy(h + 344, "n+1", 4);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(h), 352);
  out.write(reinterpret_cast<const char*>(voxels.data()), std::streamsize(voxels.size() * 2));
}

}  // namespace mcinr::testing
