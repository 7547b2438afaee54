// Writes a small synthetic subject in the reference's naming, for the fit
// tests: an analytic two-contrast phantom as 1 mm ground truth (n^3 voxels),
// zero background outside a ball, an axial scan (every 4th z slice) of contrast 1 and a coronal scan (every
// 4th y slice) of contrast 2, their masks and a brain mask.
//   make_test_subject DIR [n=32] [id=phantom]
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "mcinr/core/phantom.hpp"
#include "mcinr/io/nifti.hpp"

using mcinr::io::Volume;

int main(int argc, char* argv[]) {
  if (argc < 2) {
    std::cerr << "usage: make_test_subject DIR [n] [id]\n";
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  const int n = argc > 2 ? std::atoi(argv[2]) : 32;
  const std::string id = argc > 3 ? argv[3] : "phantom";
  if (n < 8 || n % 4 != 0) {
    std::cerr << "make_test_subject: n must be a multiple of 4, at least 8\n";
    return 2;
  }
  std::filesystem::create_directories(dir);
  const double half = n / 2.0;
  auto value = [&](int contrast, double i, double j, double k) {
    // Voxel (i, j, k) sits at world (i - n/2, j - n/2, k - n/2) mm; the phantom spans [-1, 1].
    const double x = (i - half + 0.5) / half, y = (j - half + 0.5) / half, z = (k - half + 0.5) / half;
    if (x * x + y * y + z * z > 0.8) return 0.0f;  // background, as around a head
    return float(1000.0 * mcinr::phantom::value<double>(contrast, x, y, z));
  };
  auto save = [&](const std::string& name, Volume& v) { mcinr::io::write_nifti((dir / (id + name)).string(), v); };
  Volume gt[2], brain;
  for (int c = 0; c < 2; ++c) {
    gt[c].geometry.size = {std::size_t(n), std::size_t(n), std::size_t(n)};
    gt[c].geometry.origin = {-half, -half, -half};
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) gt[c].voxels.push_back(value(c, i, j, k));
  }
  brain = gt[0];
  for (auto& v : brain.voxels) v = v >= 1 ? 1.0f : 0.0f;
  const char* names[2] = {"_c1", "_c2"};
  for (int c = 0; c < 2; ++c) {
    // LR slice s lies on HR slice 4 s + 2 of the thick axis (z for c1, y for c2).
    Volume lr, mask;
    lr.geometry = gt[c].geometry;
    lr.geometry.size[c == 0 ? 2 : 1] = n / 4;
    lr.geometry.spacing[c == 0 ? 2 : 1] = 4;
    lr.geometry.origin[c == 0 ? 2 : 1] = -half + 2;
    for (std::size_t k = 0; k < lr.geometry.size[2]; ++k)
      for (std::size_t j = 0; j < lr.geometry.size[1]; ++j)
        for (std::size_t i = 0; i < lr.geometry.size[0]; ++i)
          lr.voxels.push_back(c == 0 ? gt[c].at(i, j, 4 * k + 2) : gt[c].at(i, 4 * j + 2, k));
    mask = lr;
    for (auto& v : mask.voxels) v = v >= 1 ? 1.0f : 0.0f;
    save(std::string(names[c]) + ".nii.gz", gt[c]);
    save(std::string(names[c]) + "_LR.nii.gz", lr);
    save(std::string(names[c]) + "_mask_LR.nii.gz", mask);
  }
  save("_brainmask.nii.gz", brain);
  return 0;
}
