// io/nifti: geometry and voxels survive a write/read round trip exactly;
// bad files get a clear error naming the file; real subjects read as expected.
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "mcinr/io/nifti.hpp"

using namespace mcinr::io;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("mcinr_nifti_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

Volume oblique_volume() {
  Volume v;
  v.geometry.size = {7, 5, 3};
  v.geometry.spacing = {1.0, 1.0, 4.0};
  v.geometry.origin = {-90.5, 126.25, -72.0};
  // A rotation about z by 90 degrees combined with a flip of x: exactly
  // representable, so it survives NIfTI's float32 sform bit for bit.
  v.geometry.direction = {0, -1, 0, -1, 0, 0, 0, 0, 1};
  v.voxels.resize(v.geometry.voxels());
  for (std::size_t i = 0; i < v.voxels.size(); ++i) v.voxels[i] = float(i) * 0.5f - 3.25f;
  return v;
}
}  // namespace

TEST_CASE("NIfTI round trip keeps geometry and voxels", "[io][nifti]") {
  for (const char* name : {"volume.nii.gz", "volume.nii"}) {
    const Volume v = oblique_volume();
    const std::string path = scratch(name).string();
    write_nifti(path, v);
    const Volume back = read_nifti(path);
    CHECK(back.geometry.size == v.geometry.size);
    CHECK(back.geometry.spacing == v.geometry.spacing);
    CHECK(back.geometry.origin == v.geometry.origin);
    CHECK(back.geometry.direction == v.geometry.direction);
    CHECK(back.voxels == v.voxels);
    // World positions follow the direction: index (1, 0, 0) moves along -y.
    const auto p = back.geometry.world(1, 0, 0);
    CHECK(p[0] == Approx(-90.5));
    CHECK(p[1] == Approx(126.25 - 1.0));
  }
  int leftovers = 0;
  for (const auto& entry : fs::directory_iterator(scratch("x").parent_path()))
    leftovers += entry.path().string().find(".tmp") != std::string::npos;
  CHECK(leftovers == 0);
  fs::remove_all(scratch("x").parent_path());
}

TEST_CASE("bad NIfTI input is refused with the path and the reason", "[io][nifti]") {
  auto message = [](const std::string& path) {
    try {
      read_nifti(path);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("/nonexistent/a.nii.gz") == "/nonexistent/a.nii.gz: no such file");
  const std::string text = scratch("notes.nii.gz").string();
  std::ofstream(text) << "this is not an image\n";
  CHECK(message(text).find("not a NIfTI file") != std::string::npos);
  CHECK_THROWS_WITH(write_nifti("/nonexistent/dir/out.nii.gz", oblique_volume()),
                    Catch::Contains("/nonexistent/dir/out.nii.gz"));
  CHECK_THROWS_WITH(write_nifti(scratch("out.mha").string(), oblique_volume()), Catch::Contains(".nii"));
  fs::remove_all(scratch("x").parent_path());
}

TEST_CASE("a real BraTS volume reads with its 1 mm geometry", "[io][nifti][data]") {
  const std::string path = "../shared/data/brats2023-gli-00001-000/BraTS-GLI-00001-000-t1c.nii.gz";
  const fs::path full = fs::path(MCINR_SOURCE_DIR) / path;
  if (!fs::exists(full)) {
    WARN("skipped: " << full << " is absent (../shared holds the real subjects)");
    return;
  }
  const Volume v = read_nifti(full.string());
  CHECK(v.geometry.size == std::array<std::size_t, 3>{240, 240, 155});
  CHECK(v.geometry.spacing == std::array<double, 3>{1, 1, 1});
  float hi = 0;
  for (float x : v.voxels) hi = std::max(hi, x);
  CHECK(hi > 100);
}

TEST_CASE("NaN and infinite voxels survive a NIfTI round trip (so inputs can be checked)", "[io][nifti]") {
  Volume v = oblique_volume();
  v.voxels[5] = std::numeric_limits<float>::quiet_NaN();
  v.voxels[7] = -std::numeric_limits<float>::infinity();
  const std::string path = scratch("nan.nii.gz").string();
  write_nifti(path, v);
  const Volume back = read_nifti(path);
  INFO("voxel read back as " << back.voxels[5]);
  CHECK(std::isnan(back.voxels[5]));
  CHECK(back.voxels[6] == v.voxels[6]);
  CHECK(back.voxels[7] == -std::numeric_limits<float>::infinity());
  fs::remove_all(scratch("x").parent_path());
}
