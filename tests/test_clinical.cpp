// Clinical scans as they come (issue 13): automatic head masks, the output
// mask and coverage, the written files' names, voxel types and sidecars,
// the clinical-scan simulator's geometry. Generated data only (the real
// clinical pair is tests/clinical_pair.sh, on ../shared).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>

#include "mcinr/core/phantom.hpp"
#include "mcinr/io/file_hash.hpp"
#include "mcinr/io/head_mask.hpp"
#include "mcinr/io/nifti.hpp"
#include "mcinr/pipeline/clinical_scan.hpp"
#include "mcinr/pipeline/coverage.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "testing.hpp"
#include "mcinr/pipeline/prepare.hpp"
#include "mcinr/pipeline/slice_model.hpp"
#include "mcinr/pipeline/subject_fit.hpp"
#include "mcinr/pipeline/subject_layout.hpp"

namespace fs = std::filesystem;
using namespace mcinr;

namespace {

using testing::fresh_dir;

io::Volume cube(std::size_t n, double spacing = 1) {
  io::Volume v;
  v.geometry.size = {n, n, n};
  v.geometry.spacing = {spacing, spacing, spacing};
  v.voxels.assign(n * n * n, 0.0f);
  return v;
}

std::size_t count(const std::vector<std::uint8_t>& m) {
  std::size_t c = 0;
  for (auto v : m) c += v ? 1 : 0;
  return c;
}

}  // namespace

TEST_CASE("output names follow the scans, BIDS-derivative style", "[clinical]") {
  const auto n = pipeline::fit_file_names({"/data/sub-01/anat/sub-01_FLAIR.nii.gz", "x/sub-01_T2w.nii"});
  CHECK(n.volume[0] == "sub-01_FLAIR_desc-mcinr.nii.gz");
  CHECK(n.volume[1] == "sub-01_T2w_desc-mcinr.nii.gz");
  CHECK(n.sidecar[0] == "sub-01_FLAIR_desc-mcinr.json");
  CHECK(n.scan_mask[1] == "sub-01_T2w_desc-scan_mask.nii.gz");
  CHECK(n.coverage[0] == "sub-01_FLAIR_desc-coverage_dseg.nii.gz");
  // The subject layout's scans: <id>_<c>_LR.nii.gz -> <id>_<c>.
  CHECK(pipeline::fit_file_names({"s/s01_t1c_LR.nii.gz", "s/s01_t2f_LR.nii.gz"}).volume[1] == "s01_t2f_desc-mcinr.nii.gz");
  // Two scans of one name (in two folders) stay apart.
  const auto same = pipeline::fit_file_names({"a/scan.nii.gz", "b/scan.nii.gz"});
  CHECK(same.volume[0] == "scan-1_desc-mcinr.nii.gz");
  CHECK(same.volume[1] == "scan-2_desc-mcinr.nii.gz");
}

TEST_CASE("volumes are written as float32, int16 (rounded, clamped) or uint8", "[clinical][nifti]") {
  const fs::path dir = fresh_dir("voxel_types");
  io::Volume v = cube(4);
  v.voxels[0] = 1.4f, v.voxels[1] = 1.6f, v.voxels[2] = -2.5f, v.voxels[3] = 40000.0f, v.voxels[4] = -40000.0f;
  v.voxels[5] = 300.0f;
  // NIfTI-1 header: datatype (short) at byte 70: 2 uint8, 4 int16, 16 float32.
  auto datatype = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string header(348, '\0');
    in.read(header.data(), 348);
    std::int16_t t = 0;
    std::memcpy(&t, header.data() + 70, 2);
    return t;
  };
  const struct {
    io::VoxelType type;
    std::int16_t code;
    std::vector<float> expected;
  } cases[] = {{io::VoxelType::float32, 16, {1.4f, 1.6f, -2.5f, 40000.0f, -40000.0f, 300.0f}},
               {io::VoxelType::int16, 4, {1, 2, -2, 32767, -32768, 300}},
               {io::VoxelType::uint8, 2, {1, 2, 0, 255, 0, 255}}};
  for (const auto& c : cases) {
    const fs::path path = dir / (io::to_string(c.type) + ".nii");
    io::write_nifti(path.string(), v, c.type);
    CHECK(datatype(path) == c.code);
    const io::Volume back = io::read_nifti(path.string());
    for (std::size_t i = 0; i < c.expected.size(); ++i) {
      INFO(io::to_string(c.type) << " voxel " << i);
      CHECK(back.voxels[i] == c.expected[i]);
    }
  }
  CHECK(io::parse_voxel_type("int16") == io::VoxelType::int16);
  CHECK_THROWS_AS(io::parse_voxel_type("int8"), std::invalid_argument);
  fs::remove_all(dir);
}

TEST_CASE("the automatic head mask: Otsu, the largest component, holes filled, nonzero on a zero background",
          "[clinical][mask]") {
  // A noisy background (Rician-like, never 0), a bright ball with a dark
  // core (a ventricle), and a small bright speck apart from it.
  const std::size_t n = 40;
  io::Volume v = cube(n);
  std::mt19937 random(3);
  std::normal_distribution<float> noise(0.0f, 20.0f);
  auto inside = [&](double i, double j, double k, double r) {
    return (i - 20) * (i - 20) + (j - 20) * (j - 20) + (k - 20) * (k - 20) <= r * r;
  };
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) {
        float value = inside(i, j, k, 14) ? (inside(i, j, k, 5) ? 30.0f : 800.0f) : 0.0f;
        if (i >= 2 && i <= 3 && j >= 2 && j <= 3 && k >= 2 && k <= 3) value = 800.0f;  // the speck
        v.at(i, j, k) = std::fabs(value + noise(random)) + 1.0f;
      }
  const io::HeadMask mask = io::auto_head_mask(v);
  CHECK(mask.method.find("Otsu") != std::string::npos);
  std::size_t ball = 0, wrong = 0;
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) {
        const bool in = mask.voxels[i + n * (j + n * k)] != 0;
        ball += inside(i, j, k, 14) ? 1 : 0;
        wrong += in != inside(i, j, k, 14) ? 1 : 0;
      }
  CHECK(mask.voxels[20 + n * (20 + n * 20)] == 1);  // the dark core is filled
  CHECK(mask.voxels[2 + n * (2 + n * 2)] == 0);     // the speck is not the largest component
  CHECK(double(wrong) < 0.02 * double(ball));

  // A head cut by the field of view: the dark core reaches the volume's
  // face (z = 0), so only the per-slice fill closes it.
  io::Volume cut = cube(n);
  cut.geometry.spacing = {1, 1, 4};
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) {
        const double r2 = (double(i) - 20) * (double(i) - 20) + (double(j) - 20) * (double(j) - 20);
        cut.at(i, j, k) = std::fabs((r2 <= 14 * 14 ? (r2 <= 16 && k < 10 ? 30.0f : 800.0f) : 0.0f) + noise(random)) + 1;
      }
  const io::HeadMask cut_mask = io::auto_head_mask(cut);
  CHECK(cut_mask.voxels[20 + n * 20] == 1);  // z = 0, the core's centre

  // A skull-stripped scan: exactly 0 outside, the mask is its nonzero voxels
  // (as the reference's), dark tissue included.
  io::Volume stripped = cube(n);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) stripped.at(i, j, k) = inside(i, j, k, 14) ? (i < 20 ? 5.0f : 900.0f) : 0.0f;
  const io::HeadMask nonzero = io::auto_head_mask(stripped);
  CHECK(nonzero.method.find("nonzero") != std::string::npos);
  for (std::size_t x = 0; x < stripped.voxels.size(); ++x) REQUIRE(nonzero.voxels[x] == (stripped.voxels[x] != 0));
  CHECK(io::mask_share(nonzero.voxels) == Approx(double(ball) / double(n * n * n)));
}

TEST_CASE("coverage: the output mask is the union of the scans' masks, each contrast's invented share",
          "[clinical][coverage]") {
  // Output grid 20^3 at 1 mm. Scan A: 20 x 20 x 5 at 1 x 1 x 4 mm (z thick),
  // covers all of it. Scan B: 10 x 20 x 20 at 1 mm, only x < 10.
  io::Geometry out;
  out.size = {20, 20, 20};
  io::Geometry a = out;
  a.size = {20, 20, 5};
  a.spacing = {1, 1, 4};
  a.origin = {0, 0, 1.5};  // slice k's centre at z = 4 k + 1.5
  io::Geometry b = out;
  b.size = {10, 20, 20};
  std::vector<std::uint8_t> mask_a(a.voxels(), 0), mask_b(b.voxels(), 1);
  // A's mask: only its slice k = 4 (z 14 .. 17 mm centre 17.5).
  for (std::size_t v = 0; v < a.voxels(); ++v) mask_a[v] = v / (20 * 20) == 4 ? 1 : 0;
  const pipeline::Coverage c = pipeline::output_coverage({a, b}, {&mask_a, &mask_b}, out);
  // B's field of view: x <= 9.5 -> i <= 9: 10 of 20 columns.
  std::size_t measured_b = count(c.measured[1]), measured_a = count(c.measured[0]);
  CHECK(measured_a == out.voxels());
  CHECK(measured_b == out.voxels() / 2);
  // The mask: all of B's half, and of the other half the voxels beside A's
  // slice 4 (centre z = 17.5: its 8 neighbours reach z in (13.5, 21.5), so
  // z = 14 .. 19: 6 planes), not A's masked-out slices.
  const std::size_t other_half = 10 * 20 * 6;
  CHECK(c.inside_count == out.voxels() / 2 + other_half);
  CHECK(c.invented_share[0] == Approx(0.0));
  CHECK(c.invented_share[1] == Approx(double(other_half) / double(c.inside_count)));
  const io::Volume map_b = pipeline::coverage_map(c, 1);
  CHECK(map_b.at(5, 5, 5) == 1.0f);     // measured
  CHECK(map_b.at(15, 5, 16) == 2.0f);   // in the mask, invented
  CHECK(map_b.at(15, 5, 5) == 0.0f);    // outside the mask
  // The mask's box: x 0..19, y 0..19, z 0..19 (B's half spans all z).
  CHECK(pipeline::mask_box(c, 0) == std::vector<long>{0, 0, 0, 20, 20, 20});
  std::vector<std::uint8_t> none(b.voxels(), 0);
  std::vector<std::uint8_t> slice_only = mask_a;
  const pipeline::Coverage d = pipeline::output_coverage({a, b}, {&slice_only, &none}, out);
  CHECK(pipeline::mask_box(d, 1) == std::vector<long>{0, 0, 13, 20, 20, 20});
}

TEST_CASE("a simulated clinical scan has the asked storage order, spacing, obliquity and field of view",
          "[clinical][simulate]") {
  io::Volume hr = cube(64);
  for (std::size_t k = 0; k < 64; ++k)
    for (std::size_t j = 0; j < 64; ++j)
      for (std::size_t i = 0; i < 64; ++i) hr.at(i, j, k) = float(i + 2 * j + 3 * k);  // linear: no interpolation error
  pipeline::ClinicalScan s;
  s.orientation = "LIA";
  s.view = "coronal";
  s.in_plane_mm = 0.9;
  s.thickness_mm = 4;
  s.fov_mm = {40, 36, 32};
  s.rotate_deg = {0, 0, 0};
  const io::Volume scan = pipeline::simulate_clinical_scan(hr, s);
  const io::Geometry& g = scan.geometry;
  CHECK(g.orientation_code() == "LIA");
  CHECK(g.thickest_axis() == 2);
  CHECK(g.spacing[2] == 4);
  CHECK(g.size[0] == 44);  // 40 / 0.9
  CHECK(g.size[2] == 8);
  // A box average of a linear ramp is its value at the centre: each voxel
  // equals the volume at its own world position (LPS, the HR grid is LPS at 1 mm).
  for (std::size_t k = 1; k + 1 < g.size[2]; ++k) {
    const std::array<double, 3> p = g.world(20, 20, double(k));
    CHECK(scan.at(20, 20, k) == Approx(p[0] + 2 * p[1] + 3 * p[2]).epsilon(1e-4));
  }
  s.rotate_deg = {10, 0, 0};
  s.orientation = "LAS";
  s.view = "axial";
  const io::Geometry oblique = pipeline::clinical_grid(hr.geometry, s);
  // Slice normal tilted by 10 degrees about x (RAS x = -LPS x).
  const double pi = std::acos(-1.0);
  CHECK(oblique.direction[8] == Approx(std::cos(10 * pi / 180)));
  CHECK(std::fabs(oblique.direction[5]) == Approx(std::sin(10 * pi / 180)));
  s.orientation = "LAL";
  CHECK_THROWS_AS(pipeline::validate(s), pipeline::InputError);
}

TEST_CASE("a fit writes masked volumes, coverage maps, scan masks and sidecars: --outside-fov, --dtype, "
          "--crop-to-mask",
          "[clinical][pipeline]") {
  const fs::path dir = fresh_dir("clinical_fit");
  // A 24^3 phantom, exactly 0 outside a ball; scan A axial 4 mm over all of
  // it, scan B coronal 4 mm over only x < 12 mm.
  const std::size_t n = 24;
  std::string hr[2];
  for (int c = 0; c < 2; ++c) {
    io::Volume v = cube(n);
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = 0; i < n; ++i) {
          const double x = (i + 0.5 - 12) / 12, y = (j + 0.5 - 12) / 12, z = (k + 0.5 - 12) / 12;
          v.at(i, j, k) = x * x + y * y + z * z <= 0.8 ? float(1000 * phantom::value<double>(c, x, y, z)) : 0.0f;
        }
    hr[c] = (dir / ("hr" + std::to_string(c) + ".nii.gz")).string();
    io::write_nifti(hr[c], v);
  }
  const std::string a = (dir / "sub-01_T1w.nii.gz").string(), b = (dir / "sub-01_T2w.nii.gz").string();
  io::write_nifti(a, pipeline::degrade_volume(io::read_nifti(hr[0]), 2, 4, pipeline::SliceProfile::box, 4));
  io::write_nifti(b, pipeline::crop(pipeline::degrade_volume(io::read_nifti(hr[1]), 1, 4, pipeline::SliceProfile::box, 4),
                                    {0, 0, 0, 12, 6, 24}));
  pipeline::FitConfig c;
  c.image = {a, b};
  c.spacing = 1;
  c.field.mlp.hidden = 32;
  c.field.mlp.layers = 1;
  c.field.encoding.fourier_features = 16;
  c.train.epochs = 1;
  c.train.batch_size = 256;
  auto fit = [&](const std::string& name, const std::function<void(pipeline::FitConfig&)>& edit) {
    pipeline::FitConfig f = c;
    f.out = (dir / name).string();
    edit(f);
    pipeline::FitObserver quiet;
    return pipeline::fit_subject(f, quiet);
  };
  const pipeline::FitOutcome masked = fit("masked", [](pipeline::FitConfig&) {});
  const fs::path out = dir / "masked";
  const io::Volume v1 = io::read_nifti((out / "sub-01_T1w_desc-mcinr.nii.gz").string());
  const io::Volume v2 = io::read_nifti((out / "sub-01_T2w_desc-mcinr.nii.gz").string());
  const io::Volume cov2 = io::read_nifti((out / "sub-01_T2w_desc-coverage_dseg.nii.gz").string());
  const io::Volume cov1 = io::read_nifti((out / "sub-01_T1w_desc-coverage_dseg.nii.gz").string());
  const io::Volume mask1 = io::read_nifti((out / "sub-01_T1w_desc-scan_mask.nii.gz").string());
  REQUIRE(cov2.geometry.size == v2.geometry.size);
  CHECK(mask1.geometry.size == io::read_nifti(a).geometry.size);
  std::size_t outside = 0, invented = 0, invented_nonzero = 0, outside_nonzero = 0;
  for (std::size_t x = 0; x < v2.voxels.size(); ++x) {
    CHECK((cov1.voxels[x] == 0) == (cov2.voxels[x] == 0));  // one output mask
    if (cov2.voxels[x] == 0) {
      ++outside;
      outside_nonzero += (v1.voxels[x] != 0 || v2.voxels[x] != 0) ? 1 : 0;
    }
    if (cov2.voxels[x] == 2) {
      ++invented;
      invented_nonzero += v2.voxels[x] != 0 ? 1 : 0;
    }
  }
  CHECK(outside > 0);
  CHECK(outside_nonzero == 0);  // masked
  CHECK(invented > 0);
  CHECK(invented_nonzero > invented / 2);  // --outside-fov field: the field's values
  // The sidecar: sources, their hashes, the version, the settings.
  std::ifstream sidecar(out / "sub-01_T2w_desc-mcinr.json");
  const auto j = nlohmann::json::parse(sidecar);
  CHECK(j.at("Sources").at(1) == b);
  CHECK(j.at("SourceHashes").at(b) == io::file_sha256(b));
  CHECK(j.at("GeneratedBy").at(0).at("Name") == "mcinr");
  CHECK(j.at("Settings").at("epochs") == 1);
  CHECK(j.at("InventedShare").get<double>() > 0);
  CHECK(j.at("InventedShare").get<double>() == Approx(double(invented) / double(v2.voxels.size() - outside)));
  // summary.json lists every output; missing_fit_output reads it.
  CHECK(pipeline::missing_fit_output(out.string()).empty());
  fs::remove(out / "sub-01_T2w_desc-coverage_dseg.nii.gz");
  CHECK(pipeline::missing_fit_output(out.string()) == (out / "sub-01_T2w_desc-coverage_dseg.nii.gz").string());

  // --outside-fov zero: contrast 2 is 0 where its scan has no data.
  fit("zero", [](pipeline::FitConfig& f) { f.outside_fov = "zero"; });
  const io::Volume z2 = io::read_nifti((dir / "zero" / "sub-01_T2w_desc-mcinr.nii.gz").string());
  std::size_t zero_nonzero = 0;
  for (std::size_t x = 0; x < z2.voxels.size(); ++x) zero_nonzero += cov2.voxels[x] == 2 && z2.voxels[x] != 0;
  CHECK(zero_nonzero == 0);
  // --no-mask-output: the field everywhere, the same values inside the mask.
  fit("whole", [](pipeline::FitConfig& f) { f.no_mask_output = true; });
  const io::Volume w1 = io::read_nifti((dir / "whole" / "sub-01_T1w_desc-mcinr.nii.gz").string());
  std::size_t whole_outside_nonzero = 0;
  for (std::size_t x = 0; x < w1.voxels.size(); ++x) {
    if (cov1.voxels[x] != 0) REQUIRE(w1.voxels[x] == v1.voxels[x]);
    whole_outside_nonzero += cov1.voxels[x] == 0 && w1.voxels[x] != 0;
  }
  CHECK(whole_outside_nonzero > 0);
  // --dtype int16 and --crop-to-mask: integers, on the mask's box (4 voxels of margin).
  fit("cropped", [](pipeline::FitConfig& f) {
    f.dtype = "int16";
    f.crop_to_mask = true;
  });
  const io::Volume k1 = io::read_nifti((dir / "cropped" / "sub-01_T1w_desc-mcinr.nii.gz").string());
  const io::Volume kc = io::read_nifti((dir / "cropped" / "sub-01_T1w_desc-coverage_dseg.nii.gz").string());
  CHECK(k1.geometry.size == kc.geometry.size);
  CHECK(k1.geometry.voxels() <= v1.geometry.voxels());
  for (float x : k1.voxels) REQUIRE(x == std::nearbyint(x));
  // The crop keeps the world positions: the box's first voxel lies where the
  // whole grid's voxel (x0, y0, z0) does.
  const std::array<double, 3> first = k1.geometry.world(0, 0, 0);
  const std::array<double, 3> idx = {first[0] - v1.geometry.origin[0], first[1] - v1.geometry.origin[1],
                                     first[2] - v1.geometry.origin[2]};
  for (double d : idx) CHECK(d == Approx(std::round(d)).margin(1e-9));
  fs::remove_all(dir);
}
