#include "mcinr/pipeline/clinical_scan.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "mcinr/pipeline/errors.hpp"

namespace mcinr::pipeline {

namespace {

// A RAS letter as an LPS unit vector (ITK's world).
std::array<double, 3> lps_of(char letter) {
  switch (letter) {
    case 'R': return {-1, 0, 0};
    case 'L': return {1, 0, 0};
    case 'A': return {0, -1, 0};
    case 'P': return {0, 1, 0};
    case 'S': return {0, 0, 1};
    case 'I': return {0, 0, -1};
    default: throw InputError(std::string("--orientation: '") + letter + "' is not one of R, L, A, P, S, I");
  }
}

// Which world axis (0 x, 1 y, 2 z) a letter runs along.
int world_axis(char letter) {
  const auto v = lps_of(letter);
  return v[0] != 0 ? 0 : v[1] != 0 ? 1 : 2;
}

int view_world_axis(const std::string& view) {
  if (view == "axial") return 2;
  if (view == "coronal") return 1;
  if (view == "sagittal") return 0;
  throw InputError("--view: '" + view + "' is not axial, coronal or sagittal");
}

using Matrix3 = std::array<double, 9>;  // row-major

Matrix3 multiply(const Matrix3& a, const Matrix3& b) {
  Matrix3 c{};
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 3; ++j) c[3 * r + k] += a[3 * r + j] * b[3 * j + k];
  return c;
}

// Rotation about world RAS x, y, z (degrees), as an LPS matrix: the same
// angles about LPS axes with x and y flipped (F R F with F = diag(-1,-1,1)).
Matrix3 rotation_lps(const std::array<double, 3>& deg) {
  const double pi = std::acos(-1.0);
  const double a = deg[0] * pi / 180, b = deg[1] * pi / 180, g = deg[2] * pi / 180;
  const Matrix3 rx = {1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a)};
  const Matrix3 ry = {std::cos(b), 0, std::sin(b), 0, 1, 0, -std::sin(b), 0, std::cos(b)};
  const Matrix3 rz = {std::cos(g), -std::sin(g), 0, std::sin(g), std::cos(g), 0, 0, 0, 1};
  const Matrix3 ras = multiply(rz, multiply(ry, rx));
  const double f[3] = {-1, -1, 1};
  Matrix3 lps{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) lps[3 * r + c] = f[r] * ras[3 * r + c] * f[c];
  return lps;
}

std::array<double, 3> centre_of(const io::Geometry& g) {
  return g.world(0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1));
}

float percentile(std::vector<float> values, double q) {
  if (values.empty()) return 0;
  const std::size_t at = std::min(values.size() - 1, std::size_t(q * double(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + long(at), values.end());
  return values[at];
}

// Trilinear interpolation of a volume at a continuous voxel index; 0 outside.
float trilinear(const io::Volume& v, const double x[3]) {
  const auto& n = v.geometry.size;
  long i0[3];
  double t[3];
  for (int a = 0; a < 3; ++a) {
    if (x[a] < -0.5 || x[a] > double(n[a]) - 0.5) return 0;
    const double c = std::clamp(x[a], 0.0, double(n[a] - 1));
    i0[a] = std::min(long(std::floor(c)), long(n[a]) - 2 < 0 ? 0 : long(n[a]) - 2);
    t[a] = n[a] > 1 ? c - double(i0[a]) : 0;
  }
  double sum = 0;
  for (int dz = 0; dz < 2; ++dz)
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) {
        const std::size_t ii = std::min<std::size_t>(std::size_t(i0[0] + dx), n[0] - 1);
        const std::size_t jj = std::min<std::size_t>(std::size_t(i0[1] + dy), n[1] - 1);
        const std::size_t kk = std::min<std::size_t>(std::size_t(i0[2] + dz), n[2] - 1);
        const double w = (dx ? t[0] : 1 - t[0]) * (dy ? t[1] : 1 - t[1]) * (dz ? t[2] : 1 - t[2]);
        sum += w * double(v.at(ii, jj, kk));
      }
  return float(sum);
}

}  // namespace

void validate(const ClinicalScan& s) {
  require(s.orientation.size() == 3, "--orientation needs three letters, e.g. LAS");
  int seen[3] = {0, 0, 0};
  for (char c : s.orientation) ++seen[world_axis(c)];
  require(seen[0] == 1 && seen[1] == 1 && seen[2] == 1,
          "--orientation '" + s.orientation + "' must name each of the L/R, A/P and S/I directions once");
  const int thick = view_world_axis(s.view);
  (void)thick;
  require(s.in_plane_mm > 0 && s.in_plane_mm <= 20, "--in-plane must be in (0, 20] mm");
  require(s.thickness_mm > 0 && s.thickness_mm <= 50, "--thickness must be in (0, 50] mm");
  for (double f : s.fov_mm) require(f > 0 && f <= 1000, "--fov must be in (0, 1000] mm per axis");
  for (double r : s.rotate_deg) require(std::fabs(r) <= 90, "--rotate must be within +-90 degrees per axis");
  for (double m : s.shift_mm) require(std::fabs(m) <= 500, "--shift must be within +-500 mm per axis");
  require(s.profile_points >= 1 && s.profile_points <= 64, "--profile-points must be 1..64");
  require(s.noise >= 0 && s.noise <= 1, "--noise must be in [0, 1]");
  require(s.intensity_max >= 0 && s.intensity_max <= 32767, "--intensity-max must be in [0, 32767]");
}

io::Geometry clinical_grid(const io::Geometry& hr, const ClinicalScan& s) {
  validate(s);
  const int thick_world = view_world_axis(s.view);
  Matrix3 base{};  // columns: the voxel axes' LPS directions
  int thick_axis = 0;
  for (int a = 0; a < 3; ++a) {
    const auto v = lps_of(s.orientation[a]);
    for (int r = 0; r < 3; ++r) base[3 * r + a] = v[r];
    if (world_axis(s.orientation[a]) == thick_world) thick_axis = a;
  }
  io::Geometry g;
  g.direction = multiply(rotation_lps(s.rotate_deg), base);
  for (int a = 0; a < 3; ++a) {
    g.spacing[a] = a == thick_axis ? s.thickness_mm : s.in_plane_mm;
    g.size[a] = std::max<std::size_t>(1, std::size_t(std::lround(s.fov_mm[a] / g.spacing[a])));
  }
  std::array<double, 3> centre = centre_of(hr);
  centre[0] -= s.shift_mm[0];  // RAS -> LPS
  centre[1] -= s.shift_mm[1];
  centre[2] += s.shift_mm[2];
  for (int r = 0; r < 3; ++r) {
    double offset = 0;
    for (int a = 0; a < 3; ++a) offset += g.direction[3 * r + a] * g.spacing[a] * 0.5 * double(g.size[a] - 1);
    g.origin[r] = centre[r] - offset;
  }
  return g;
}

io::Volume simulate_clinical_scan(const io::Volume& hr, const ClinicalScan& s) {
  io::Volume lr;
  lr.geometry = clinical_grid(hr.geometry, s);
  const io::Geometry& g = lr.geometry;
  const int thick = g.thickest_axis();
  lr.voxels.assign(g.voxels(), 0.0f);
  const double step[3] = {g.direction[thick] * g.spacing[thick], g.direction[3 + thick] * g.spacing[thick],
                          g.direction[6 + thick] * g.spacing[thick]};
  const int k = s.profile_points;
  for (std::size_t z = 0; z < g.size[2]; ++z)
    for (std::size_t y = 0; y < g.size[1]; ++y)
      for (std::size_t x = 0; x < g.size[0]; ++x) {
        const std::array<double, 3> p = g.world(double(x), double(y), double(z));
        double sum = 0;
        for (int t = 0; t < k; ++t) {
          const double f = k == 1 ? 0.0 : (double(t) + 0.5) / double(k) - 0.5;  // midpoints across the slab
          const std::array<double, 3> q = {p[0] + f * step[0], p[1] + f * step[1], p[2] + f * step[2]};
          sum += trilinear(hr, hr.geometry.continuous_index(q).data());
        }
        lr.at(x, y, z) = float(sum / k);
      }
  std::vector<float> nonzero;
  for (float v : hr.voxels)
    if (v != 0) nonzero.push_back(v);
  if (s.noise > 0) {
    const double sigma = s.noise * double(percentile(nonzero, 0.99));
    std::mt19937_64 random(s.seed);
    std::normal_distribution<double> normal(0.0, sigma);
    for (float& v : lr.voxels) {
      const double a = double(v) + normal(random), b = normal(random);
      v = float(std::sqrt(a * a + b * b));  // Rician: the magnitude of a complex signal with noise
    }
  }
  if (s.intensity_max > 0) {
    const float top = percentile(nonzero, 0.999);
    const float scale = top > 0 ? float(s.intensity_max) / top : 1.0f;
    for (float& v : lr.voxels) v = std::min(v * scale, 32767.0f);
  }
  return lr;
}

}  // namespace mcinr::pipeline
