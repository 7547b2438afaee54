// `mcinr degrade --in HR --view axial|coronal|sagittal (or --axis) --factor F --out LR`
// Simulates a 2D acquisition with F-times thicker slices along one axis.
//  * decimate (default, the reference): LR slice k is HR slice F k + o, with
//    o = (n - 1) - F (m - 1), m = n / F, so the last LR slice lies on the last
//    HR slice (the reference's grid: 240x240x160 -> 240x240x40, o = 3);
//  * box: the slab of width F around that centre (HR slices at distance F/2
//    weigh 1/2): a slice profile as real 2D sequences have;
//  * gaussian: a Gaussian profile of the given FWHM (mm) around that centre.
// The LR grid keeps the HR geometry with the slice spacing times F and the
// origin moved to the first LR slice centre. --pad-to N first zero-pads the
// HR volume at the end of z to N slices, as the reference does for BraTS
// (155 -> 160), whatever the view.
#include "drivers/degrade.hpp"

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>

#include "drivers/options.hpp"
#include "drivers/volumes.hpp"
#include "io/nifti.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

namespace {

// Weights of HR slices around the LR centre (offset d in HR slices).
std::vector<std::pair<int, double>> profile_weights(const std::string& profile, int factor, double fwhm_slices) {
  std::vector<std::pair<int, double>> w;
  if (profile == "decimate") {
    w.push_back({0, 1.0});
  } else if (profile == "box") {
    const double half = factor / 2.0;
    for (int d = -factor; d <= factor; ++d) {
      const double a = std::abs(double(d));
      if (a < half) w.push_back({d, 1.0});
      else if (a == half) w.push_back({d, 0.5});
    }
  } else {
    const double sigma = fwhm_slices / (2.0 * std::sqrt(2.0 * std::log(2.0)));
    const int reach = int(std::ceil(3 * sigma));
    for (int d = -reach; d <= reach; ++d) w.push_back({d, std::exp(-0.5 * d * d / (sigma * sigma))});
  }
  double total = 0;
  for (auto& p : w) total += p.second;
  for (auto& p : w) p.second /= total;
  return w;
}

}  // namespace

io::Volume pad_z(const io::Volume& hr, int slices) {
  require(std::size_t(slices) >= hr.geometry.size[2], "--pad-to is smaller than the volume's z size");
  io::Volume padded;
  padded.geometry = hr.geometry;
  padded.geometry.size[2] = slices;
  padded.voxels.assign(padded.geometry.voxels(), 0.0f);
  for (std::size_t k = 0; k < hr.geometry.size[2]; ++k)
    for (std::size_t j = 0; j < hr.geometry.size[1]; ++j)
      for (std::size_t i = 0; i < hr.geometry.size[0]; ++i) padded.at(i, j, k) = hr.at(i, j, k);
  return padded;
}

io::Volume degrade_volume(const io::Volume& hr, int axis, int factor, const std::string& profile, double fwhm_mm) {
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

io::Volume threshold_mask(const io::Volume& v) {
  io::Volume mask = v;
  for (auto& x : mask.voxels) x = x >= 1 ? 1.0f : 0.0f;
  return mask;
}

int view_axis(const std::string& view) {
  if (view == "axial") return 2;
  if (view == "coronal") return 1;
  if (view == "sagittal") return 0;
  throw UsageError("unknown view '" + view + "' (expected axial, coronal or sagittal)");
}

int run_degrade(const std::vector<std::string>& args) {
  std::string in, out, mask_out, view, profile = "decimate";
  int axis = -1, factor = 4, pad_to = 0;
  double fwhm = 0;
  po::options_description options("mcinr degrade: simulate a thick-slice scan from a high-resolution one");
  options.add_options()("help,h", "show this help")
      ("in", po::value(&in)->required(), "high-resolution volume (NIfTI)")
      ("view", po::value(&view), "axial (thick along axis 2), coronal (axis 1) or sagittal (axis 0)")
      ("axis", po::value(&axis), "the thick axis (0, 1 or 2), instead of --view")
      ("factor", po::value(&factor)->default_value(factor), "slice thickness in HR voxels (integer >= 1)")
      ("profile", po::value(&profile)->default_value(profile), "decimate (the reference), box or gaussian")
      ("fwhm", po::value(&fwhm), "gaussian profile: full width at half maximum, mm (default: factor x spacing)")
      ("pad-to", po::value(&pad_to), "first zero-pad the HR volume at the end of z (axis 2) to this many slices (BraTS: 160)")
      ("out", po::value(&out)->required(), "low-resolution volume (NIfTI)")
      ("mask-out", po::value(&mask_out), "also write the mask LR >= 1 (the reference's LR mask)");
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(view.empty() != (axis < 0), "give exactly one of --view and --axis");
  if (!view.empty()) axis = view_axis(view);
  require(axis >= 0 && axis <= 2, "--axis must be 0, 1 or 2");
  require(factor >= 1, "--factor must be at least 1");
  require(profile == "decimate" || profile == "box" || profile == "gaussian",
          "unknown --profile '" + profile + "' (expected decimate, box or gaussian)");

  io::Volume hr = read_finite_volume(in);
  if (pad_to > 0) hr = pad_z(hr, pad_to);
  if (fwhm <= 0) fwhm = factor * hr.geometry.spacing[axis];
  const io::Volume lr = degrade_volume(hr, axis, factor, profile, fwhm);
  const auto& s = lr.geometry.size;
  try {
    io::write_nifti(out, lr);
    if (!mask_out.empty()) io::write_nifti(mask_out, threshold_mask(lr));
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::printf("%s: %zux%zux%zu -> %zux%zux%zu (%s, factor %d along axis %d)\n", out.c_str(), hr.geometry.size[0],
              hr.geometry.size[1], hr.geometry.size[2], s[0], s[1], s[2], profile.c_str(), factor, axis);
  return 0;
}

}  // namespace mcinr::drivers
