// Writes the NIfTI files the command-line tests read into the folder given:
// the metric volumes (truth, pred, other, mask) and broken inputs.
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIO.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>

#include "mcinr/io/nifti.hpp"
#include "metric_volumes.hpp"

using mcinr::io::Volume;

int main(int argc, char* argv[]) {
  if (argc != 2) {
    std::cerr << "usage: make_test_volumes DIR\n";
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  const mcinr::testing::MetricVolumes v;
  Volume volume;
  volume.geometry.size = {v.nx, v.ny, v.nz};
  volume.geometry.origin = {-10, 20, 5};
  auto write = [&](const char* name, const std::vector<float>& voxels) {
    volume.voxels = voxels;
    mcinr::io::write_nifti((dir / name).string(), volume);
  };
  write("truth.nii.gz", v.truth);
  write("pred.nii.gz", v.pred);
  write("other.nii.gz", v.other);
  write("mask.nii.gz", std::vector<float>(v.mask.begin(), v.mask.end()));
  write("empty_mask.nii.gz", std::vector<float>(v.truth.size(), 0.0f));
  std::vector<float> nan = v.truth;
  nan[123] = std::numeric_limits<float>::quiet_NaN();
  write("nan.nii.gz", nan);
  volume.geometry.origin = {1000, 1000, 1000};
  write("far.nii.gz", v.truth);
  volume.geometry.origin = {-10, 20, 5};
  volume.geometry.size = {v.nx, v.ny, v.nz - 1};
  write("smaller.nii.gz", std::vector<float>(v.nx * v.ny * (v.nz - 1), 1.0f));
  std::ofstream(dir / "notes.nii.gz") << "not an image\n";
  // A copy cut short, as an interrupted transfer leaves it.
  std::filesystem::copy_file(dir / "truth.nii.gz", dir / "truncated.nii.gz",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(dir / "truncated.nii.gz", std::filesystem::file_size(dir / "truth.nii.gz") / 2);

  // Size bombs: small files whose headers declare 900^3 voxels (2.9 GB of
  // float), one plain and one gzipped (tests/CMakeLists.txt gzips it).
  volume.geometry.size = {2, 2, 2};
  write("huge.nii", std::vector<float>(8, 1.0f));
  {
    std::fstream header(dir / "huge.nii", std::ios::in | std::ios::out | std::ios::binary);
    const std::int16_t n = 900;
    for (const int offset : {42, 44, 46}) {  // dim[1..3] of the NIfTI-1 header, little-endian
      header.seekp(offset);
      header.write(reinterpret_cast<const char*>(&n), 2);
    }
  }

  using Image4 = itk::Image<float, 4>;
  auto image = Image4::New();
  Image4::RegionType region;
  for (int d = 0; d < 4; ++d) region.SetSize(d, d == 3 ? 2 : 4);
  image->SetRegions(region);
  image->Allocate();
  image->FillBuffer(1.0f);
  auto writer = itk::ImageFileWriter<Image4>::New();
  writer->SetImageIO(itk::NiftiImageIO::New());
  writer->SetFileName((dir / "four_d.nii.gz").string());
  writer->SetInput(image);
  writer->Update();
  return 0;
}
