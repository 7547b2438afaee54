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
#include "mcinr/io/resample.hpp"
#include "nifti_bytes.hpp"

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

TEST_CASE("an uncompressed int16 file with a scaling reads whole (ITK reports it as float)", "[io][nifti]") {
  // read_nifti once took ITK's float component size for the file's 2 bytes
  // and refused such a .nii as truncated.
  const float affine[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  const std::vector<std::int16_t> voxels = {1, -2, 3, 4, 5, 6, 7, 8};
  const std::string path = scratch("scaled.nii").string();
  mcinr::testing::write_int16_nifti(path, {2, 2, 2}, affine, voxels);
  const Volume v = read_nifti(path);
  REQUIRE(v.voxels.size() == 8);
  CHECK(v.voxels[1] == Approx(0.5 * -2 - 3));
  CHECK(v.voxels[7] == Approx(0.5 * 8 - 3));
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

// Fading detail: an axial volume with 4 mm slices onto a 1 mm grid whose
// planes fall on the slices (slice k at plane 4 k). Each slice is a constant
// plus a checkerboard of amplitude a_k: a Gaussian of sigma 3 voxels removes
// the checkerboard entirely (its response at 1/2 cycle per voxel is e^-44)
// and keeps the constant, so away from the in-plane edges the detail is the
// checkerboard alone and its weights between the slices are (1 - t)^p, t^p.
TEST_CASE("fading detail: the smooth part linear, the detail as (1 - t)^p, the slices kept", "[io][resample]") {
  const std::size_t n = 40, slices = 4;
  Volume thick;
  thick.geometry.size = {n, n, slices};
  thick.geometry.spacing = {1, 1, 4};
  thick.geometry.origin = {0, 0, 0};
  const double base[slices] = {10, 20, 5, 0}, amp[slices] = {3, -2, 4, 1};
  for (std::size_t k = 0; k < slices; ++k)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) thick.voxels.push_back(float(base[k] + amp[k] * ((i + j) % 2 ? -1 : 1)));
  Geometry grid;
  grid.size = {n, n, 4 * (slices - 1) + 1};
  grid.spacing = {1, 1, 1};
  grid.origin = {0, 0, 0};
  const Volume linear = resample(thick, grid, 1);
  for (const double p : {0.5, 1.0, 2.0, 3.0}) {
    INFO("power " << p);
    const Volume faded = resample_fading_detail(thick, grid, 3.0, p);
    double worst = 0, worst_plane = 0;
    for (std::size_t z = 0; z < grid.size[2]; ++z)
      for (std::size_t j = 13; j < n - 13; ++j)
        for (std::size_t i = 13; i < n - 13; ++i) {
          const std::size_t k = std::min(z / 4, slices - 2);
          const double t = (z - 4.0 * k) / 4.0, sign = (i + j) % 2 ? -1 : 1;
          const double expected =
              (1 - t) * base[k] + t * base[k + 1] + sign * (std::pow(1 - t, p) * amp[k] + std::pow(t, p) * amp[k + 1]);
          worst = std::max(worst, std::abs(faded.at(i, j, z) - expected));
        }
    // On the slices every voxel keeps its value, edges included.
    for (std::size_t k = 0; k < slices; ++k)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = 0; i < n; ++i)
          worst_plane = std::max(worst_plane, double(std::abs(faded.at(i, j, 4 * k) - thick.at(i, j, k))));
    CHECK(worst < 1e-4);
    CHECK(worst_plane < 1e-4);
  }
  // Power 1 is linear interpolation, whatever the band split.
  const Volume one = resample_fading_detail(thick, grid, 0.7, 1.0);
  double diff = 0;
  for (std::size_t v = 0; v < one.voxels.size(); ++v)
    diff = std::max(diff, double(std::abs(one.voxels[v] - linear.voxels[v])));
  CHECK(diff < 1e-4);
  // A volume without a thick axis is interpolated linearly.
  Volume iso = thick;
  iso.geometry.spacing = {1, 1, 1};
  const Volume iso_faded = resample_fading_detail(iso, grid, 0.7, 2.0), iso_linear = resample(iso, grid, 1);
  CHECK(iso_faded.voxels == iso_linear.voxels);
}

TEST_CASE("orientation codes follow NIfTI's RAS+ convention (nibabel's aff2axcodes)", "[io][nifti]") {
  mcinr::io::Geometry g;
  CHECK(g.orientation_code() == "LPS");  // ITK's identity direction is LPS: a NIfTI affine diag(-1, -1, 1)
  // "LIA" (a coronal scan): RAS affine columns (-1, 0, 0), (0, 0, -1), (0, 1, 0); in ITK's LPS world the
  // x and y rows change sign.
  g.direction = {1, 0, 0, 0, 0, -1, 0, -1, 0};
  CHECK(g.orientation_code() == "LIA");
  // "LAS": RAS affine diag(-1, 1, 1).
  g.direction = {1, 0, 0, 0, -1, 0, 0, 0, 1};
  CHECK(g.orientation_code() == "LAS");
  // Oblique: each axis takes its largest component.
  g.direction = {-0.94, -0.1, 0, 0.1, -0.94, 0, 0, 0, 1};
  CHECK(g.orientation_code() == "RAS");
  g.size = {240, 240, 40};
  g.spacing = {1, 1, 4};
  CHECK(g.summary() == "240x240x40, 1 x 1 x 4 mm, RAS, thick axis 3 (4 mm), field of view 240 x 240 x 160 mm");
  g.spacing = {1, 1, 1};
  CHECK(g.summary() == "240x240x40, 1 x 1 x 1 mm, RAS, isotropic, field of view 240 x 240 x 40 mm");
}
