// io/registration: rigid registration of two thick-slice scans of two
// contrasts recovers a known motion; the alignment check is quiet on an
// aligned pair and warns on a shifted one; the header correction and the
// NIfTI header rewrite (voxels byte for byte) follow ITK's and NIfTI's
// conventions; .tfm files round-trip. Synthetic data only (no ../shared).
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "mcinr/io/nifti.hpp"
#include "mcinr/io/registration.hpp"
#include "nifti_bytes.hpp"
#include "synthetic_head.hpp"

using namespace mcinr::io;
using mcinr::testing::axial_contrast1;
using mcinr::testing::coronal_contrast2;
using mcinr::testing::moved;
namespace fs = std::filesystem;

namespace {

constexpr double pi = 3.14159265358979323846;

fs::path scratch(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("mcinr_registration_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

double distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

RigidTransform motion(double ax, double ay, double az, double tx, double ty, double tz) {
  RigidTransform g;
  g.center = {4, -6, 3};
  g.angles = {ax * pi / 180, ay * pi / 180, az * pi / 180};
  g.translation = {tx, ty, tz};
  return g;
}

// The largest |a(x) - b(x)| over points x of the brain ellipsoid.
double largest_difference(const RigidTransform& a, const RigidTransform& b) {
  double worst = 0;
  for (double x = -40; x <= 40; x += 10)
    for (double y = -50; y <= 50; y += 10)
      for (double z = -35; z <= 35; z += 7)
        if (x * x / 1600 + y * y / 2500 + z * z / 1225 <= 1)
          worst = std::max(worst, distance(a.apply({x, y, z}), b.apply({x, y, z})));
  return worst;
}

std::vector<unsigned char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("RigidTransform: ITK's Euler convention, its inverse, the angle of its rotation", "[io][registration]") {
  const RigidTransform t = motion(0, 0, 90, 1, 2, 3);
  // R = Rz(90): x -> y. T(c + e_x) = c + e_y + t.
  const auto y = t.apply({5, -6, 3});
  CHECK(y[0] == Approx(4 + 1));
  CHECK(y[1] == Approx(-6 + 1 + 2));
  CHECK(y[2] == Approx(3 + 3));
  const RigidTransform u = motion(2, -3, 1.5, 3, -2, 2.5);
  const auto back = u.apply_inverse(u.apply({10, -20, 30}));
  CHECK(distance(back, {10, -20, 30}) < 1e-12);
  CHECK(motion(0, 3, 0, 0, 0, 0).rotation_degrees() == Approx(3));
  CHECK(motion(0, 0, 0, 1, 0, 0).rotation_degrees() == Approx(0).margin(1e-9));
  CHECK(RigidTransform{}.is_identity());
  CHECK_FALSE(u.is_identity());
  CHECK(u.angles_degrees()[1] == Approx(-3));
}

TEST_CASE("corrected_geometry undoes a header motion: R^-1 D, T^-1(origin)", "[io][registration]") {
  Geometry g;
  g.size = {10, 12, 8};
  g.spacing = {0.94, 0.94, 5};
  g.origin = {-100, 80, -40};
  g.direction = {0, -1, 0, -1, 0, 0, 0, 0, 1};
  const RigidTransform t = motion(2, -3, 1.5, 3, -2, 2.5);
  const Geometry wrong = moved(g, t);  // voxels at T(p)
  const Geometry right = corrected_geometry(wrong, t);
  CHECK(right.size == g.size);
  CHECK(right.spacing == g.spacing);
  for (int i = 0; i < 9; ++i) CHECK(right.direction[i] == Approx(g.direction[i]).margin(1e-12));
  for (int d = 0; d < 3; ++d) CHECK(right.origin[d] == Approx(g.origin[d]).margin(1e-9));
  // Any voxel: where the corrected header puts it is T^-1 of where the wrong one did.
  const auto p = wrong.world(3, 7, 5), q = right.world(3, 7, 5);
  CHECK(distance(t.apply_inverse(p), q) < 1e-9);
}

TEST_CASE("a transform file round-trips, a missing one is refused", "[io][registration]") {
  const RigidTransform t = motion(2, -3, 1.5, 3, -2, 2.5);
  const std::string path = scratch("t.tfm").string();
  write_transform(path, t);
  CHECK(fs::exists(path));
  const auto file = bytes_of(path);
  const std::string text(file.begin(), file.end());
  CHECK(text.find("Euler3DTransform_double_3_3") != std::string::npos);
  const RigidTransform back = read_transform(path);
  for (int d = 0; d < 3; ++d) {
    CHECK(back.angles[d] == Approx(t.angles[d]).margin(1e-12));
    CHECK(back.translation[d] == Approx(t.translation[d]).margin(1e-12));
    CHECK(back.center[d] == Approx(t.center[d]).margin(1e-12));
  }
  CHECK_THROWS_WITH(read_transform(scratch("absent.tfm").string()), Catch::Contains("absent.tfm: no such file"));
  CHECK_THROWS_AS(write_transform(scratch("t.mat").string(), t), std::invalid_argument);
  // Files ITK 5.2 would overread (ASan: its Euler3DTransform takes six
  // parameters whatever the file lists) or that hold no number are refused
  // before ITK reads them.
  const std::string head = "#Insight Transform File V1.0\n#Transform 0\nTransform: Euler3DTransform_double_3_3\n";
  const struct {
    std::string body, message;
  } bad[] = {{"Parameters: 0 0 0 1 2\nFixedParameters: 0 0 0 0\n", "6 parameters"},
             {"Parameters: 0 0 0 1 2 3\nFixedParameters: 0 0\n", "6 parameters"},
             {"Parameters: 0 0 0 1 2 nan\nFixedParameters: 0 0 0 0\n", "'nan' is not a finite number"},
             {"Parameters: 0 0 0 1 2 3\nFixedParameters: 0 0 0\nTransform: Euler3DTransform_double_3_3\n",
              "exactly one transform"}};
  for (const auto& b : bad) {
    std::ofstream(scratch("bad.tfm")) << head << b.body;
    CHECK_THROWS_WITH(read_transform(scratch("bad.tfm").string()), Catch::Contains(b.message));
  }
  std::ofstream(scratch("affine.tfm")) << "Transform: AffineTransform_double_3_3\nParameters: 1\nFixedParameters: 0 0 0\n";
  CHECK_THROWS_WITH(read_transform(scratch("affine.tfm").string()), Catch::Contains("AffineTransform_double_3_3"));
  fs::remove_all(scratch("x").parent_path());
}

TEST_CASE("rewrite_nifti_geometry: qform and sform from the geometry (RAS), every other byte kept",
          "[io][registration][nifti]") {
  // A 5x4x3 int16 scan, 1 x 2 x 3 mm, RAS affine with a 90-degree turn.
  const float affine[12] = {0, -2, 0, 10.5f, 1, 0, 0, -20.25f, 0, 0, 3, 5};
  std::vector<std::int16_t> voxels(60);
  for (std::size_t i = 0; i < voxels.size(); ++i) voxels[i] = std::int16_t(37 * i - 900);
  const std::string in = scratch("in.nii").string();
  mcinr::testing::write_int16_nifti(in, {5, 4, 3}, affine, voxels);
  const Volume original = read_nifti(in);
  // ITK's LPS: x and y of the RAS affine change sign.
  CHECK(original.geometry.spacing == std::array<double, 3>{1, 2, 3});
  CHECK(original.geometry.origin == std::array<double, 3>{-10.5, 20.25, 5});
  CHECK(original.geometry.direction == std::array<double, 9>{0, 1, 0, -1, 0, 0, 0, 0, 1});
  CHECK(original.voxels[1] == Approx(0.5 * (37 - 900) - 3));  // scl_slope, scl_inter applied

  const Geometry target = corrected_geometry(original.geometry, motion(2, -3, 1.5, 3, -2, 2.5));
  for (const char* name : {"out.nii", "out.nii.gz"}) {
    const std::string out = scratch(name).string();
    rewrite_nifti_geometry(in, out, target);
    const Volume back = read_nifti(out);
    CHECK(back.geometry.size == target.size);
    for (int d = 0; d < 3; ++d) {
      CHECK(back.geometry.spacing[d] == Approx(target.spacing[d]));
      CHECK(back.geometry.origin[d] == Approx(target.origin[d]).margin(1e-4));
    }
    for (int i = 0; i < 9; ++i) CHECK(back.geometry.direction[i] == Approx(target.direction[i]).margin(1e-6));
    CHECK(back.voxels == original.voxels);
  }
  // The plain file: header bytes outside qform/sform and pixdim[0] equal,
  // the voxel bytes equal, qform_code 0 -> 1, sform_code 1 kept.
  const auto a = bytes_of(in), b = bytes_of(scratch("out.nii").string());
  REQUIRE(a.size() == b.size());
  CHECK(std::equal(a.begin(), a.begin() + 76, b.begin()));             // up to pixdim
  CHECK(std::equal(a.begin() + 80, a.begin() + 252, b.begin() + 80));  // pixdim[1..7] .. aux_file
  CHECK(std::equal(a.begin() + 328, a.end(), b.begin() + 328));        // intent_name, magic, extender, voxels
  std::int16_t codes[2];
  std::memcpy(codes, b.data() + 252, 4);
  CHECK(codes[0] == 1);
  CHECK(codes[1] == 1);
  // In place, and refusals.
  rewrite_nifti_geometry(in, in, target);
  CHECK(distance(read_nifti(in).geometry.origin, target.origin) < 1e-4);
  Geometry other = target;
  other.spacing[2] = 4;
  CHECK_THROWS_AS(rewrite_nifti_geometry(in, scratch("bad.nii").string(), other), std::invalid_argument);
  CHECK_THROWS_AS(rewrite_nifti_geometry(in, scratch("bad.mha").string(), target), std::invalid_argument);
  CHECK_THROWS_WITH(rewrite_nifti_geometry(scratch("absent.nii").string(), scratch("bad.nii").string(), target),
                    Catch::Contains("absent.nii: no such file"));
  CHECK_FALSE(fs::exists(scratch("bad.nii")));
  fs::remove_all(scratch("x").parent_path());
}

TEST_CASE("register_rigid recovers a known motion between thick-slice scans of two contrasts", "[io][registration]") {
  const Volume& fixed = axial_contrast1();  // 1 x 1 x 4 mm
  Volume moving = coronal_contrast2();      // 1 x 4 x 1 mm
  // The aligned pair first: the registration stays at (about) identity.
  const RigidTransform none = register_rigid(fixed, moving);
  CHECK(largest_difference(none, RigidTransform{}) < 0.3);
  // The moving scan's header moved by 3 degrees and 3.9 mm: T = G.
  const RigidTransform truth = motion(2, -2, 1, 3, 2, -1.5);
  moving.geometry = moved(moving.geometry, truth);
  const RigidTransform found = register_rigid(fixed, moving);
  INFO("found angles " << found.angles_degrees()[0] << " " << found.angles_degrees()[1] << " "
                       << found.angles_degrees()[2] << ", translation " << found.translation[0] << " "
                       << found.translation[1] << " " << found.translation[2]);
  CHECK(largest_difference(found, truth) < 0.5);
  CHECK(std::fabs(found.rotation_degrees() - truth.rotation_degrees()) < 0.5);
  // Corrected, the header is the original one again.
  const Geometry corrected = corrected_geometry(moving.geometry, found);
  CHECK(distance(corrected.world(48, 14, 42), coronal_contrast2().geometry.world(48, 14, 42)) < 0.5);
  // Mutual information rises; the same inputs give the same transform.
  CHECK(mutual_information(fixed, moving, found) > mutual_information(fixed, moving) + 0.02);
  const RigidTransform again = register_rigid(fixed, moving);
  CHECK(again.angles == found.angles);
  CHECK(again.translation == found.translation);
}

TEST_CASE("check_alignment: quiet on an aligned pair, a 3 mm shift is found and warned about", "[io][registration]") {
  const Volume& a = axial_contrast1();
  Volume b = coronal_contrast2();
  const AlignmentCheck aligned = check_alignment(a, b);
  INFO(aligned.summary());
  CHECK_FALSE(aligned.misaligned);
  CHECK(aligned.shift_mm() < 1);
  CHECK(aligned.summary().find("no sign of misalignment") != std::string::npos);
  // b's header 3 mm too far anterior-negative (LPS y - 3): its anatomy is
  // found at x + (0, -3, 0).
  b.geometry.origin[1] -= 3;
  const AlignmentCheck shifted = check_alignment(a, b);
  INFO(shifted.summary());
  CHECK(shifted.misaligned);
  CHECK(distance(shifted.shift, {0, -3, 0}) < 0.6);
  CHECK(shifted.gain > 0.02);
  CHECK(shifted.summary().find("look misaligned by about 3") != std::string::npos);
}

TEST_CASE("registration options out of range are refused", "[io][registration]") {
  const Volume& a = axial_contrast1();
  RegistrationOptions o;
  o.smoothing_mm = {1};
  CHECK_THROWS_AS(register_rigid(a, a, o), std::invalid_argument);
  o = {};
  o.sampling_share = 0;
  CHECK_THROWS_AS(register_rigid(a, a, o), std::invalid_argument);
  AlignmentCheckOptions c;
  c.shifts_mm = {};
  CHECK_THROWS_AS(check_alignment(a, a, c), std::invalid_argument);
  Volume far = coronal_contrast2();
  far.geometry.origin = {1000, 1000, 1000};
  CHECK_THROWS_WITH(mutual_information(a, far), Catch::Contains("hardly overlap"));
}
