#include "mcinr/pipeline/slice_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "mcinr/pipeline/errors.hpp"

namespace mcinr::pipeline {

SliceProfile parse_slice_profile(const std::string& name, const std::string& option) {
  if (name == "decimate") return SliceProfile::decimate;
  if (name == "box") return SliceProfile::box;
  if (name == "gaussian") return SliceProfile::gaussian;
  throw InputError("unknown " + option + " '" + name + "' (expected decimate, box or gaussian)");
}

std::string to_string(SliceProfile profile) {
  switch (profile) {
    case SliceProfile::decimate:
      return "decimate";
    case SliceProfile::box:
      return "box";
    case SliceProfile::gaussian:
      return "gaussian";
  }
  return "?";
}

int view_axis(const std::string& view) {
  if (view == "axial") return 2;
  if (view == "coronal") return 1;
  if (view == "sagittal") return 0;
  throw InputError("unknown view '" + view + "' (expected axial, coronal or sagittal)");
}

std::vector<std::pair<int, double>> profile_weights(SliceProfile profile, int factor, double fwhm_slices) {
  std::vector<std::pair<int, double>> w;
  if (profile == SliceProfile::decimate) {
    w.push_back({0, 1.0});
  } else if (profile == SliceProfile::box) {
    const double half = factor / 2.0;
    for (int d = -factor; d <= factor; ++d) {
      const double a = std::abs(double(d));
      if (a < half)
        w.push_back({d, 1.0});
      else if (a == half)
        w.push_back({d, 0.5});
    }
  } else {
    require(fwhm_slices > 0 && fwhm_slices < 1e4, "--fwhm must be positive and below 10^4 slices");
    const double sigma = fwhm_slices / (2.0 * std::sqrt(2.0 * std::log(2.0)));
    const int reach = int(std::ceil(3 * sigma));
    for (int d = -reach; d <= reach; ++d) w.push_back({d, std::exp(-0.5 * d * d / (sigma * sigma))});
  }
  double total = 0;
  for (auto& p : w) total += p.second;
  for (auto& p : w) p.second /= total;
  return w;
}

io::Volume pad_z(const io::Volume& hr, std::size_t slices) {
  require(slices >= hr.geometry.size[2], "--pad-to is smaller than the volume's z size");
  require(double(slices) * double(hr.geometry.size[0]) * double(hr.geometry.size[1]) <= 2e9,
          "--pad-to gives a volume above 2e9 voxels");
  io::Volume padded;
  padded.geometry = hr.geometry;
  padded.geometry.size[2] = slices;
  padded.voxels.assign(padded.geometry.voxels(), 0.0f);
  std::copy(hr.voxels.begin(), hr.voxels.end(), padded.voxels.begin());  // x fastest: z slabs are contiguous
  return padded;
}

io::Volume degrade_volume(const io::Volume& hr, int axis, int factor, SliceProfile profile, double fwhm_mm) {
  const std::size_t n = hr.geometry.size[axis];
  require(factor >= 1 && std::size_t(factor) <= n, "--factor must be between 1 and the volume's size along that axis");
  const std::size_t m = n / factor;
  const int offset = int(n - 1) - factor * int(m - 1);
  const auto weights = profile_weights(profile, factor, fwhm_mm / hr.geometry.spacing[axis]);
  io::Volume lr;
  lr.geometry = hr.geometry;
  lr.geometry.size[axis] = m;
  lr.geometry.spacing[axis] = hr.geometry.spacing[axis] * factor;
  std::array<double, 3> first{0, 0, 0};
  first[axis] = offset;
  lr.geometry.origin = hr.geometry.world(first[0], first[1], first[2]);
  lr.voxels.assign(lr.geometry.voxels(), 0.0f);
  const auto& s = lr.geometry.size;
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j)
      for (std::size_t i = 0; i < s[0]; ++i) {
        std::size_t idx[3] = {i, j, k};
        const long centre = long(idx[axis]) * factor + offset;
        double sum = 0;
        for (const auto& [d, w] : weights) {
          const long at = std::min(std::max(centre + d, 0L), long(n) - 1);  // edge slices repeat
          std::size_t h[3] = {i, j, k};
          h[axis] = std::size_t(at);
          sum += w * hr.at(h[0], h[1], h[2]);
        }
        lr.at(i, j, k) = float(sum);
      }
  return lr;
}

io::Volume crop(const io::Volume& v, const std::vector<long>& box) {
  const auto& s = v.geometry.size;
  require(box.size() == 6, "--crop needs six integers x0,y0,z0,x1,y1,z1");
  for (int d = 0; d < 3; ++d)
    require(box[d] >= 0 && box[d] < box[d + 3] && std::size_t(box[d + 3]) <= s[d],
            "--crop must be x0,y0,z0,x1,y1,z1 with 0 <= start < end <= size (" + std::to_string(s[0]) + "x" +
                std::to_string(s[1]) + "x" + std::to_string(s[2]) + ")");
  io::Volume out;
  out.geometry = v.geometry;
  for (int d = 0; d < 3; ++d) out.geometry.size[d] = std::size_t(box[d + 3] - box[d]);
  out.geometry.origin = v.geometry.world(double(box[0]), double(box[1]), double(box[2]));
  out.voxels.resize(out.geometry.voxels());
  for (std::size_t k = 0; k < out.geometry.size[2]; ++k)
    for (std::size_t j = 0; j < out.geometry.size[1]; ++j)
      for (std::size_t i = 0; i < out.geometry.size[0]; ++i) out.at(i, j, k) = v.at(i + box[0], j + box[1], k + box[2]);
  return out;
}

io::Volume threshold_mask(const io::Volume& v) {
  io::Volume mask = v;
  for (auto& x : mask.voxels) x = x >= 1 ? 1.0f : 0.0f;
  return mask;
}

}  // namespace mcinr::pipeline
