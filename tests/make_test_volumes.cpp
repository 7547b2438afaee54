// Writes the NIfTI files the command-line tests read into the folder given:
// the metric volumes (truth, pred, other, mask) and broken inputs.
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIO.h>

#include <cmath>
#include <cstdint>
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

  // Bit flips inside the deflate data of a float and of an int16 .nii.gz
  // (the BraTS scans are int16): zlib's error or CRC mismatch must surface.
  // bad_crc.nii.gz flips a bit of the gzip trailer's CRC instead.
  auto flip_byte = [&](const std::filesystem::path& from, const std::filesystem::path& to, bool in_trailer) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
    std::fstream file(to, std::ios::in | std::ios::out | std::ios::binary);
    const auto size = std::streamoff(std::filesystem::file_size(to));
    const auto middle = in_trailer ? size - 6 : size * 3 / 4;
    char byte = 0;
    file.seekg(middle);
    file.read(&byte, 1);
    byte = char(byte ^ 0x10);
    file.seekp(middle);
    file.write(&byte, 1);
  };
  flip_byte(dir / "truth.nii.gz", dir / "bit_flip.nii.gz", false);
  flip_byte(dir / "truth.nii.gz", dir / "bad_crc.nii.gz", true);
  {
    // 64^3 int16 noise: it does not compress, so the flip lands in the
    // voxel data, well after the header.
    using ShortImage = itk::Image<short, 3>;
    auto image = ShortImage::New();
    ShortImage::RegionType region;
    for (int d = 0; d < 3; ++d) region.SetSize(d, 64);
    image->SetRegions(region);
    image->Allocate();
    std::uint32_t state = 12345;
    short* buffer = image->GetBufferPointer();
    for (std::size_t i = 0; i < 64 * 64 * 64; ++i) {
      state = state * 1664525u + 1013904223u;
      buffer[i] = short(state >> 20);
    }
    auto writer = itk::ImageFileWriter<ShortImage>::New();
    writer->SetImageIO(itk::NiftiImageIO::New());
    writer->SetFileName((dir / "int16.nii.gz").string());
    writer->SetInput(image);
    writer->Update();
  }
  flip_byte(dir / "int16.nii.gz", dir / "bit_flip_int16.nii.gz", false);

  // Non-finite geometry in the header (ITK 5.2 aborts on these): a NaN in
  // the sform and one in the quaternion of a plain .nii.
  volume.geometry.size = {v.nx, v.ny, v.nz};
  write("nan_sform.nii", v.truth);
  write("nan_qform.nii", v.truth);
  write("huge_sform.nii", v.truth);  // an sform entry of 1e38 hung ITK's SVD (found by fuzzing)
  {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::fstream sform(dir / "nan_sform.nii", std::ios::in | std::ios::out | std::ios::binary);
    const std::int16_t code = 1;
    sform.seekp(254);  // sform_code
    sform.write(reinterpret_cast<const char*>(&code), 2);
    sform.seekp(280 + 4);  // srow_x[1]
    sform.write(reinterpret_cast<const char*>(&nan), 4);
    std::fstream huge(dir / "huge_sform.nii", std::ios::in | std::ios::out | std::ios::binary);
    const float big = 1e38f;
    huge.seekp(254);
    huge.write(reinterpret_cast<const char*>(&code), 2);
    huge.seekp(280);  // srow_x[0]
    huge.write(reinterpret_cast<const char*>(&big), 4);
    std::fstream qform(dir / "nan_qform.nii", std::ios::in | std::ios::out | std::ios::binary);
    qform.seekp(252);  // qform_code
    qform.write(reinterpret_cast<const char*>(&code), 2);
    qform.seekp(256);  // quatern_b
    qform.write(reinterpret_cast<const char*>(&nan), 4);
  }

  // A memory bomb's header: 400^3 float voxels (256 MB), all zero; the test
  // appends the voxels and gzips it (250 KB).
  volume.geometry.size = {2, 2, 2};
  write("bomb.nii", std::vector<float>(8, 0.0f));
  {
    std::fstream header(dir / "bomb.nii", std::ios::in | std::ios::out | std::ios::binary);
    const std::int16_t n = 400;
    for (const int offset : {42, 44, 46}) {
      header.seekp(offset);
      header.write(reinterpret_cast<const char*>(&n), 2);
    }
  }

  // A datatype niftilib does not know, and an Analyze 7.5 file (no magic).
  volume.geometry.size = {v.nx, v.ny, v.nz};
  write("bad_datatype.nii", v.truth);
  write("analyze.nii", v.truth);
  {
    std::fstream datatype(dir / "bad_datatype.nii", std::ios::in | std::ios::out | std::ios::binary);
    const std::int16_t unknown = 9999;
    datatype.seekp(70);
    datatype.write(reinterpret_cast<const char*>(&unknown), 2);
    std::fstream analyze(dir / "analyze.nii", std::ios::in | std::ios::out | std::ios::binary);
    analyze.seekp(344);
    analyze.write("\0\0\0\0", 4);
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
