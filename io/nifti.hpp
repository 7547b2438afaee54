#pragma once
// NIfTI volumes through ITK (never parsed by hand), with their full geometry:
// size, spacing, origin and direction, as ITK reads them from the header.
// Voxels are float, x fastest (ITK's buffer order).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mcinr::io {

struct Geometry {
  std::array<std::size_t, 3> size{};
  std::array<double, 3> spacing{1, 1, 1};                      // mm
  std::array<double, 3> origin{};                              // mm, world position of voxel (0, 0, 0)
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major 3x3, columns = axes
  std::size_t voxels() const { return size[0] * size[1] * size[2]; }
  // The axis with the largest spacing (the slice axis of a thick-slice scan;
  // the first such where spacings tie).
  int thickest_axis() const {
    int axis = 0;
    for (int a = 1; a < 3; ++a)
      if (spacing[a] > spacing[axis]) axis = a;
    return axis;
  }
  // Whether the thickest axis is more than 1% thicker than the thinnest.
  bool anisotropic() const { return spacing[thickest_axis()] > 1.01 * std::min({spacing[0], spacing[1], spacing[2]}); }
  // World position (mm) of voxel index (i, j, k): origin + D diag(spacing) index.
  std::array<double, 3> world(double i, double j, double k) const;
  // Its inverse: the continuous voxel index of world point p,
  // diag(1/spacing) D^T (p - origin) (D orthonormal).
  std::array<double, 3> continuous_index(const std::array<double, 3>& p) const;
  // The orientation code in NIfTI's (RAS+) convention, as nibabel's
  // aff2axcodes gives it: per voxel axis, the world direction it increases
  // towards (ITK's LPS directions turned to RAS), e.g. "LAS", "RAS", "LIA".
  std::string orientation_code() const;
  // One line: "240x240x40, 1 x 1 x 4 mm, LAS, thick axis 3 (4 mm), field of
  // view 240 x 240 x 160 mm" ("isotropic" where the spacings agree).
  std::string summary() const;
};

struct Volume {
  Geometry geometry;
  std::vector<float> voxels;  // geometry.voxels() values, x fastest
  float& at(std::size_t i, std::size_t j, std::size_t k) {
    return voxels[i + geometry.size[0] * (j + geometry.size[1] * k)];
  }
  float at(std::size_t i, std::size_t j, std::size_t k) const {
    return voxels[i + geometry.size[0] * (j + geometry.size[1] * k)];
  }
};

// Reads a 3D NIfTI file (.nii or .nii.gz) as float, NaN and infinite voxels
// kept as they are in the file (ITK 5.2 alone zeroes them). Throws std::runtime_error
// with the path and the reason for a missing file, a file that is not NIfTI,
// or an image that is not 3D (a 4D file with one volume is accepted).
// Sizes from the header are checked before allocating: against the file's
// size, 2e9 voxels, and max_bytes of memory where given (> 0).
Volume read_nifti(const std::string& path, std::uint64_t max_bytes = 0);

// The voxel type a volume is written as. int16 and uint8 round to the
// nearest integer and clamp to the type's range.
enum class VoxelType { float32, int16, uint8 };
// "float32", "int16", "uint8" -> VoxelType; std::invalid_argument otherwise.
VoxelType parse_voxel_type(const std::string& name);
std::string to_string(VoxelType type);

// Writes a volume as NIfTI (.nii or .nii.gz) atomically: a temporary file
// beside it, then a rename, so a failed write never leaves a partial file.
void write_nifti(const std::string& path, const Volume& volume, VoxelType type = VoxelType::float32);

}  // namespace mcinr::io
