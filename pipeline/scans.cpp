#include "mcinr/pipeline/scans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "mcinr/core/device_copy.hpp"
#include "mcinr/core/random.hpp"
#include "mcinr/io/head_mask.hpp"
#include "mcinr/core/reductions.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/grids.hpp"

namespace mcinr::pipeline {

MaskMode parse_mask_mode(const std::string& text) {
  if (text == "auto") return MaskMode::automatic;
  if (text == "nonzero") return MaskMode::nonzero;
  throw InputError("--mask: '" + text + "' is not auto or nonzero");
}

std::string to_string(MaskMode mode) { return mode == MaskMode::automatic ? "auto" : "nonzero"; }

std::vector<std::uint8_t> host_mask(const DeviceMask& mask) {
  const auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mask);
  return std::vector<std::uint8_t>(h.data(), h.data() + h.extent(0));
}

Scan load_scan(const std::string& image, const std::string& mask, MaskMode mode) {
  Scan scan;
  const io::Volume host = read_finite_volume(image);
  scan.volume = to_device(host);
  const ValueRange range = value_range(scan.volume.values);
  require(range.hi > range.lo, image + ": the image is constant (all " + std::to_string(float(range.lo)) + ")");
  scan.lo = float(range.lo);
  scan.hi = float(range.hi);
  if (!mask.empty()) {
    scan.mask = load_mask(mask, scan.volume.geometry);
    scan.mask_method = "the file " + mask;
  } else if (mode == MaskMode::nonzero) {
    scan.mask = nonzero_mask(scan.volume.values);
    scan.mask_method = "nonzero voxels";
  } else {
    const io::HeadMask head = io::auto_head_mask(host);
    scan.mask = mcinr::to_device(head.voxels, "mask");
    scan.mask_method = head.method;
  }
  const std::vector<std::uint8_t> voxels = host_mask(scan.mask);
  scan.mask_share = io::mask_share(voxels);
  require(scan.mask_share > 0, image + ": its mask (" + scan.mask_method + ") is empty");
  return scan;
}

std::uint64_t content_hash(const Scan& scan) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  const io::Geometry& g = scan.volume.geometry;
  mix(g.size.data(), sizeof(g.size));
  mix(g.spacing.data(), sizeof(g.spacing));
  mix(g.origin.data(), sizeof(g.origin));
  mix(g.direction.data(), sizeof(g.direction));
  const auto values = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), scan.volume.values);
  mix(values.data(), values.extent(0) * sizeof(float));
  return h == 0 ? 1 : h;  // 0 means unknown
}

void require_overlap(const Scan& a, const std::string& a_name, const Scan& b, const std::string& b_name) {
  const auto ba = world_box(a.volume.geometry), bb = world_box(b.volume.geometry);
  for (int d = 0; d < 3; ++d)
    require(std::min(ba[3 + d], bb[3 + d]) >= std::max(ba[d], bb[d]),
            a_name + " and " + b_name + " do not overlap in world space (axis " + std::to_string(d) + ": " +
                std::to_string(ba[d]) + ".." + std::to_string(ba[3 + d]) + " mm vs " + std::to_string(bb[d]) + ".." +
                std::to_string(bb[3 + d]) + " mm)");
}

std::size_t choose_voxels(const Scan& scan, double mask_margin_mm, double background, std::uint64_t salt,
                          const Kokkos::View<std::size_t*, MemSpace>& index) {
  const io::Geometry& g = scan.volume.geometry;
  const std::size_t n = g.voxels();
  if (mask_margin_mm < 0) {
    Kokkos::parallel_for(
        "mcinr::all_voxels", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::size_t i) { index(i) = i; });
    return n;
  }
  // The mask dilated by a box of +-reach voxels per axis, as three
  // separable passes (a running count along each line): O(voxels) whatever
  // the margin. The reach rounds up, so that any margin takes at least the
  // next plane along a thick-slice axis: the grid voxels between the last
  // plane in the mask and that one are brain, and without it the field is
  // free there (a 3 mm margin rounded down is no plane along 4 mm slices).
  auto reach = [&](int d) {
    return long(std::min(std::ceil(mask_margin_mm / g.spacing[d] - 1e-6), double(g.size[d])));
  };
  const long nx = long(g.size[0]), ny = long(g.size[1]), nz = long(g.size[2]);
  Kokkos::View<std::uint8_t*, MemSpace> near("near_mask", n), pass("near_mask_pass", n);
  Kokkos::deep_copy(near, scan.mask);
  for (int axis = 0; axis < 3; ++axis) {
    const long r = reach(axis);
    if (r == 0) continue;
    const long len = axis == 0 ? nx : axis == 1 ? ny : nz;
    const long stride = axis == 0 ? 1 : axis == 1 ? nx : nx * ny;
    const long lines = long(n) / len;
    const long first = r < len - 1 ? r : len - 1;  // the window of t = 0 is [0, first]
    const auto in = near, out = pass;
    Kokkos::parallel_for(
        "mcinr::dilate_mask", Kokkos::RangePolicy<ExecSpace>(0, lines), KOKKOS_LAMBDA(const long line) {
          // The line's first voxel: lines run along `axis`, the others enumerate them.
          const long start = axis == 0 ? line * nx : axis == 1 ? (line % nx) + (line / nx) * nx * ny : line;
          long count = 0;  // mask voxels in [t - r, t + r]
          for (long t = 0; t <= first; ++t) count += in(start + t * stride) ? 1 : 0;
          for (long t = 0; t < len; ++t) {
            out(start + t * stride) = count > 0 ? 1 : 0;
            const long enter = t + r + 1, leave = t - r;
            if (enter < len && in(start + enter * stride)) ++count;
            if (leave >= 0 && in(start + leave * stride)) --count;
          }
        });
    Kokkos::deep_copy(near, pass);
  }
  std::size_t count = 0;
  Kokkos::parallel_scan(
      "mcinr::near_mask", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t v, std::size_t& prefix, const bool final) {
        bool chosen = near(v) != 0;
        if (!chosen && background > 0)  // a fixed random share of the rest: the field learns the background too
          chosen = random::uniform(salt, std::uint64_t(random::Stream::background), v) < background;
        if (chosen) {
          if (final) index(prefix) = v;
          ++prefix;
        }
      },
      count);
  return count;
}

SampleSet<float> make_samples(const Scan scans[2], const FieldDomain& domain, double mask_margin_mm,
                              double background) {
  SampleSet<float> set;
  std::vector<Kokkos::View<std::size_t*, MemSpace>> chosen;
  std::size_t total = 0;
  for (int c = 0; c < 2; ++c) {
    Kokkos::View<std::size_t*, MemSpace> index("sample_index", scans[c].volume.geometry.voxels());
    const std::size_t count = choose_voxels(scans[c], mask_margin_mm, background, std::uint64_t(c + 1), index);
    require(count > 0, "the mask of scan " + std::to_string(c + 1) + " is empty");
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
          const VoxelIndex ijk = voxel_index(v, map.nx, map.ny);
          for (int r = 0; r < 3; ++r) coords(r, offset + s) = float(map.field(r, ijk));
          out(offset + s) = (values(v) - lo) / range;
        });
    offset += set.counts[c];
  }
  return set;
}

}  // namespace mcinr::pipeline

namespace mcinr::pipeline {

SliceProfile slice_profile(const Scan& scan, const FieldDomain& domain, ProfileKind kind, double thickness_mm) {
  const io::Geometry& g = scan.volume.geometry;
  const int axis = g.thickest_axis();
  const double thickness = thickness_mm > 0 ? thickness_mm : g.spacing[axis];
  SliceProfile p;
  p.kind = kind;
  for (int r = 0; r < 3; ++r) p.thickness[r] = g.direction[3 * r + axis] * thickness * 2.0 / (domain.hi - domain.lo);
  return p;
}

double lowest_inside(const Scan& scan, const io::Geometry& grid, const std::vector<std::uint8_t>& mask) {
  if (mask.size() != grid.voxels()) throw std::invalid_argument("lowest_inside: a mask of another grid");
  const io::Geometry& g = scan.volume.geometry;
  const auto values = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), scan.volume.values);
  double lowest = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const auto x = grid.continuous_index(g.world(double(i), double(j), double(k)));
        std::size_t n[3];
        bool inside = true;
        for (int a = 0; a < 3 && inside; ++a) {
          const double nearest = std::floor(x[a] + 0.5);  // rounded in double: never out of a long's range
          inside = nearest >= 0 && nearest < double(grid.size[a]);
          n[a] = inside ? std::size_t(nearest) : 0;
        }
        if (!inside || !mask[n[0] + grid.size[0] * (n[1] + grid.size[1] * n[2])]) continue;
        const double v = values(i + g.size[0] * (j + g.size[1] * k));
        if (std::isnan(lowest) || v < lowest) lowest = v;
      }
  return lowest;
}

}  // namespace mcinr::pipeline
