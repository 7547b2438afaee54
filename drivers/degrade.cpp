// `mcinr degrade --in HR --view axial|coronal|sagittal (or --axis) --factor F --out LR`:
// a thick-slice scan simulated from a high-resolution one (the slice model of
// pipeline/slice_model.hpp).
#include <cstdio>
#include <filesystem>

#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/slice_model.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_degrade(const std::vector<std::string>& args) {
  std::string in, out, mask_out, view, profile_name = "decimate";
  int axis = -1, factor = 4;
  std::size_t pad_to = 0;
  double fwhm = 0;
  po::options_description options("mcinr degrade: simulate a thick-slice scan from a high-resolution one");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("in", po::value(&in)->required(), "high-resolution volume (NIfTI)")
      ("view", po::value(&view), "axial (thick along axis 2), coronal (axis 1) or sagittal (axis 0)")
      ("axis", po::value(&axis), "the thick axis (0, 1 or 2), instead of --view")
      ("factor", po::value(&factor)->default_value(factor), "slice thickness in HR voxels (integer >= 1)")
      ("profile", po::value(&profile_name)->default_value(profile_name), "decimate (the reference), box or gaussian")
      ("fwhm", po::value(&fwhm), "gaussian profile: full width at half maximum, mm (default: factor x spacing)")
      ("pad-to", po::value(&pad_to), "first zero-pad the HR volume at the end of z (axis 2) to this many slices (BraTS: 160)")
      ("out", po::value(&out)->required(), "low-resolution volume (NIfTI)")
      ("mask-out", po::value(&mask_out), "also write the mask LR >= 1 (the reference's LR mask)");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(view.empty() != (axis < 0), "give exactly one of --view and --axis");
  if (!view.empty()) axis = pipeline::view_axis(view);
  require(axis >= 0 && axis <= 2, "--axis must be 0, 1 or 2");
  require(factor >= 1, "--factor must be at least 1");
  const pipeline::SliceProfile profile = pipeline::parse_slice_profile(profile_name);
  pipeline::require_output_nifti(out);
  if (!mask_out.empty()) pipeline::require_output_nifti(mask_out);
  require(mask_out.empty() || std::filesystem::absolute(mask_out).lexically_normal() !=
                                  std::filesystem::absolute(out).lexically_normal(),
          "--out and --mask-out name the same file");
  pipeline::require_not_input(out, {in});
  if (!mask_out.empty()) pipeline::require_not_input(mask_out, {in});

  io::Volume hr = pipeline::read_finite_volume(in);
  if (pad_to > 0) hr = pipeline::pad_z(hr, pad_to);
  if (fwhm <= 0) fwhm = factor * hr.geometry.spacing[axis];
  const io::Volume lr = pipeline::degrade_volume(hr, axis, factor, profile, fwhm);
  io::write_nifti(out, lr);
  if (!mask_out.empty()) io::write_nifti(mask_out, pipeline::threshold_mask(lr));
  const auto& s = lr.geometry.size;
  std::printf("%s: %zux%zux%zu -> %zux%zux%zu (%s, factor %d along axis %d)\n", out.c_str(), hr.geometry.size[0],
              hr.geometry.size[1], hr.geometry.size[2], s[0], s[1], s[2], profile_name.c_str(), factor, axis);
  return 0;
}

}  // namespace mcinr::drivers
