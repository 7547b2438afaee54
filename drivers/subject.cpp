#include "drivers/subject.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "drivers/options.hpp"

namespace fs = std::filesystem;

namespace mcinr::drivers {

SubjectFiles find_subject(const std::string& dir, const std::string& c1, const std::string& c2) {
  if (!fs::is_directory(dir)) throw UsageError(dir + ": no such subject folder");
  const std::string suffix = "_" + c1 + "_LR.nii.gz";
  std::string id;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      if (!id.empty()) throw UsageError(dir + ": more than one subject with a " + c1 + " scan");
      id = name.substr(0, name.size() - suffix.size());
    }
  }
  if (id.empty()) throw UsageError(dir + ": no file named <id>" + suffix);
  auto path = [&](const std::string& tail) { return (fs::path(dir) / (id + tail)).string(); };
  auto optional = [&](const std::string& tail) { return fs::exists(path(tail)) ? path(tail) : std::string(); };
  SubjectFiles files;
  const std::string contrasts[2] = {c1, c2};
  for (int c = 0; c < 2; ++c) {
    files.image[c] = path("_" + contrasts[c] + "_LR.nii.gz");
    if (!fs::exists(files.image[c])) throw UsageError(files.image[c] + ": no such file");
    files.mask[c] = optional("_" + contrasts[c] + "_mask_LR.nii.gz");
    files.gt[c] = optional("_" + contrasts[c] + ".nii.gz");
  }
  files.brain_mask = optional("_brainmask.nii.gz");
  return files;
}

Scan load_scan(const std::string& image, const std::string& mask) {
  Scan scan;
  scan.volume = load_volume(image);
  const auto values = scan.volume.values;
  float lo = 0, hi = 0;
  Kokkos::parallel_reduce(
      "mcinr::scan_min", Kokkos::RangePolicy<ExecSpace>(0, values.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, float& m) { m = values(i) < m ? values(i) : m; }, Kokkos::Min<float>(lo));
  Kokkos::parallel_reduce(
      "mcinr::scan_max", Kokkos::RangePolicy<ExecSpace>(0, values.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, float& m) { m = values(i) > m ? values(i) : m; }, Kokkos::Max<float>(hi));
  if (!(hi > lo)) throw UsageError(image + ": the image is constant (all " + std::to_string(lo) + ")");
  scan.lo = lo;
  scan.hi = hi;
  if (!mask.empty()) {
    scan.mask = load_mask(mask, scan.volume.geometry);
  } else {
    scan.mask = Kokkos::View<std::uint8_t*, MemSpace>("derived_mask", values.extent(0));
    const auto m = scan.mask;
    Kokkos::parallel_for(
        "mcinr::nonzero_mask", Kokkos::RangePolicy<ExecSpace>(0, values.extent(0)),
        KOKKOS_LAMBDA(const std::size_t i) { m(i) = values(i) != 0.0f; });
  }
  return scan;
}

std::array<double, 6> world_box(const io::Geometry& g) {
  std::array<double, 6> box{1e300, 1e300, 1e300, -1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const auto p = g.world((corner & 1) ? double(g.size[0] - 1) : 0.0, (corner & 2) ? double(g.size[1] - 1) : 0.0,
                           (corner & 4) ? double(g.size[2] - 1) : 0.0);
    for (int d = 0; d < 3; ++d) {
      box[d] = std::min(box[d], p[d]);
      box[3 + d] = std::max(box[3 + d], p[d]);
    }
  }
  return box;
}

void require_overlap(const Scan& a, const std::string& a_name, const Scan& b, const std::string& b_name) {
  const auto ba = world_box(a.volume.geometry), bb = world_box(b.volume.geometry);
  for (int d = 0; d < 3; ++d)
    if (std::min(ba[3 + d], bb[3 + d]) < std::max(ba[d], bb[d]))
      throw UsageError(a_name + " and " + b_name + " do not overlap in world space (axis " + std::to_string(d) +
                       ": " + std::to_string(ba[d]) + ".." + std::to_string(ba[3 + d]) + " mm vs " +
                       std::to_string(bb[d]) + ".." + std::to_string(bb[3 + d]) + " mm)");
}

FieldDomain fit_domain(const io::Geometry& a, const io::Geometry& b) {
  const auto ba = world_box(a), bb = world_box(b);
  double lo = 1e300, hi = -1e300;
  for (int d = 0; d < 3; ++d) {
    lo = std::min({lo, ba[d], bb[d]});
    hi = std::max({hi, ba[3 + d], bb[3 + d]});
  }
  return FieldDomain::from_range(lo, hi);
}

namespace {

// Affine voxel -> field map of a grid, as plain numbers a kernel can capture.
struct GridMap {
  double origin[3], axis[3][3];  // field = origin + axis[.][0] i + axis[.][1] j + axis[.][2] k
  std::size_t nx, ny;
  GridMap(const io::Geometry& g, const FieldDomain& domain) : nx(g.size[0]), ny(g.size[1]) {
    const double scale = 2.0 / (domain.hi - domain.lo);
    const auto o = g.world(0, 0, 0);
    for (int r = 0; r < 3; ++r) {
      origin[r] = domain.to_field(o[r]);
      for (int c = 0; c < 3; ++c) axis[r][c] = g.direction[3 * r + c] * g.spacing[c] * scale;
    }
  }
};

}  // namespace

SampleSet<float> make_samples(const Scan scans[2], const FieldDomain& domain, double mask_margin_mm) {
  SampleSet<float> set;
  // Which voxels become samples: all, or those near the mask (a box
  // dilation by the margin, per axis in voxels of that scan).
  std::vector<Kokkos::View<std::size_t*, MemSpace>> chosen;
  std::size_t total = 0;
  for (int c = 0; c < 2; ++c) {
    const io::Geometry& g = scans[c].volume.geometry;
    const std::size_t n = g.voxels();
    Kokkos::View<std::size_t*, MemSpace> index("sample_index", n);
    std::size_t count = 0;
    if (mask_margin_mm < 0) {
      Kokkos::parallel_for(
          "mcinr::all_voxels", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) { index(i) = i; });
      count = n;
    } else {
      const auto mask = scans[c].mask;
      const long rx = long(mask_margin_mm / g.spacing[0]), ry = long(mask_margin_mm / g.spacing[1]),
                 rz = long(mask_margin_mm / g.spacing[2]);
      const long nx = long(g.size[0]), ny = long(g.size[1]), nz = long(g.size[2]);
      Kokkos::parallel_scan(
          "mcinr::near_mask", Kokkos::RangePolicy<ExecSpace>(0, n),
          KOKKOS_LAMBDA(const std::size_t v, std::size_t& prefix, const bool final) {
            const long i = long(v % nx), j = long((v / nx) % ny), k = long(v / (nx * ny));
            bool near = false;
            for (long dk = -rz; dk <= rz && !near; ++dk)
              for (long dj = -ry; dj <= ry && !near; ++dj)
                for (long di = -rx; di <= rx && !near; ++di) {
                  const long a = i + di, b = j + dj, e = k + dk;
                  if (a >= 0 && b >= 0 && e >= 0 && a < nx && b < ny && e < nz) near = mask(a + nx * (b + ny * e));
                }
            if (near) {
              if (final) index(prefix) = v;
              ++prefix;
            }
          },
          count);
      if (count == 0) throw UsageError("the mask of scan " + std::to_string(c + 1) + " is empty");
    }
    set.counts.push_back(count);
    chosen.push_back(index);
    total += count;
  }
  set.coords = Matrix<float>("sample_coords", 3, total);
  set.values = Vector<float>("sample_values", total);
  std::size_t offset = 0;
  for (int c = 0; c < 2; ++c) {
    const GridMap map(scans[c].volume.geometry, domain);
    const auto index = chosen[c];
    const auto values = scans[c].volume.values;
    const auto coords = set.coords;
    const auto out = set.values;
    const float lo = scans[c].lo, range = scans[c].hi - scans[c].lo;
    Kokkos::parallel_for(
        "mcinr::make_samples", Kokkos::RangePolicy<ExecSpace>(0, set.counts[c]), KOKKOS_LAMBDA(const std::size_t s) {
          const std::size_t v = index(s);
          const double i = double(v % map.nx), j = double((v / map.nx) % map.ny), k = double(v / (map.nx * map.ny));
          for (int r = 0; r < 3; ++r)
            coords(r, offset + s) = float(map.origin[r] + map.axis[r][0] * i + map.axis[r][1] * j + map.axis[r][2] * k);
          out(offset + s) = (values(v) - lo) / range;
        });
    offset += set.counts[c];
  }
  return set;
}

io::Geometry union_grid(const io::Geometry& a, const io::Geometry& b, double spacing) {
  if (!(spacing > 0)) throw UsageError("--spacing must be positive");
  // Corners of both grids in a's axes (direction columns), relative to a's origin.
  double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
  const auto origin = a.world(0, 0, 0);
  for (const io::Geometry* g : {&a, &b})
    for (int corner = 0; corner < 8; ++corner) {
      const auto p = g->world((corner & 1) ? double(g->size[0] - 1) : 0.0, (corner & 2) ? double(g->size[1] - 1) : 0.0,
                              (corner & 4) ? double(g->size[2] - 1) : 0.0);
      for (int c = 0; c < 3; ++c) {
        double u = 0;
        for (int r = 0; r < 3; ++r) u += a.direction[3 * r + c] * (p[r] - origin[r]);
        lo[c] = std::min(lo[c], u);
        hi[c] = std::max(hi[c], u);
      }
    }
  io::Geometry grid;
  grid.direction = a.direction;
  for (int c = 0; c < 3; ++c) {
    grid.spacing[c] = spacing;
    grid.size[c] = std::size_t(std::floor((hi[c] - lo[c]) / spacing + 1e-9)) + 1;
  }
  for (int r = 0; r < 3; ++r) {
    grid.origin[r] = origin[r];
    for (int c = 0; c < 3; ++c) grid.origin[r] += a.direction[3 * r + c] * lo[c];
  }
  return grid;
}

Matrix<float> grid_coordinates(const io::Geometry& grid, const FieldDomain& domain) {
  const GridMap map(grid, domain);
  Matrix<float> coords("grid_coords", 3, grid.voxels());
  Kokkos::parallel_for(
      "mcinr::grid_coordinates", Kokkos::RangePolicy<ExecSpace>(0, grid.voxels()), KOKKOS_LAMBDA(const std::size_t v) {
        const double i = double(v % map.nx), j = double((v / map.nx) % map.ny), k = double(v / (map.nx * map.ny));
        for (int r = 0; r < 3; ++r)
          coords(r, v) = float(map.origin[r] + map.axis[r][0] * i + map.axis[r][1] * j + map.axis[r][2] * k);
      });
  return coords;
}

}  // namespace mcinr::drivers
