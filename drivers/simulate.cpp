// `mcinr simulate --in HR --out SCAN [--orientation LAS --view axial
// --in-plane 0.94 --thickness 5 --fov 240,240,150 --rotate 10,0,0 --shift 0,5,0
// --noise 0.02 --intensity-max 4095 --dtype int16]`: a clinical 2D scan
// simulated from a high-resolution volume (pipeline/clinical_scan.hpp).
#include <cstdio>
#include <sstream>

#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/clinical_scan.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

namespace {

std::array<double, 3> triple(const std::string& text, const std::string& option) {
  std::array<double, 3> v{};
  std::istringstream in(text);
  char comma1 = 0, comma2 = 0;
  in >> v[0] >> comma1 >> v[1] >> comma2 >> v[2];
  require(in && comma1 == ',' && comma2 == ',' && (in >> std::ws).eof(),
          "--" + option + " needs three numbers a,b,c (got '" + text + "')");
  return v;
}

}  // namespace

int run_simulate(const std::vector<std::string>& args) {
  pipeline::ClinicalScan spec;
  std::string in, out, fov = "240,240,160", rotate = "0,0,0", shift = "0,0,0", dtype = "float32";
  po::options_description options(
      "mcinr simulate: a clinical 2D scan (storage order, oblique slices, box slice profile, field of view, "
      "Rician noise, integer voxels) simulated from a high-resolution volume");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("in", po::value(&in)->required(), "high-resolution volume (NIfTI)")
      ("out", po::value(&out)->required(), "the simulated scan (NIfTI)")
      ("orientation", po::value(&spec.orientation)->default_value(spec.orientation), "storage order: the voxel axes in RAS letters (LAS, LIA, ...)")
      ("view", po::value(&spec.view)->default_value(spec.view), "thick direction: axial (S/I), coronal (A/P) or sagittal (L/R)")
      ("in-plane", po::value(&spec.in_plane_mm)->default_value(spec.in_plane_mm), "in-plane spacing (mm)")
      ("thickness", po::value(&spec.thickness_mm)->default_value(spec.thickness_mm), "slice thickness = slice spacing (mm)")
      ("fov", po::value(&fov)->default_value(fov), "field of view along the voxel axes (mm): x,y,z")
      ("rotate", po::value(&rotate)->default_value(rotate), "oblique slices: rotation about world R, A, S (degrees)")
      ("shift", po::value(&shift)->default_value(shift), "the field of view's centre from the volume's (mm, R,A,S)")
      ("profile-points", po::value(&spec.profile_points)->default_value(spec.profile_points), "points across the slab (box profile; 1: point samples)")
      ("noise", po::value(&spec.noise)->default_value(spec.noise), "Rician noise sigma, a share of the volume's 99th percentile")
      ("intensity-max", po::value(&spec.intensity_max)->default_value(spec.intensity_max), "> 0: scale the 99.9th percentile to this (scanner units)")
      ("dtype", po::value(&dtype)->default_value(dtype), "voxel type written: float32 or int16")
      ("seed", po::value(&spec.seed)->default_value(spec.seed), "noise seed");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  spec.fov_mm = triple(fov, "fov");
  spec.rotate_deg = triple(rotate, "rotate");
  spec.shift_mm = triple(shift, "shift");
  require(dtype == "float32" || dtype == "int16", "--dtype: '" + dtype + "' is not float32 or int16");
  pipeline::validate(spec);
  pipeline::require_output_nifti(out);
  pipeline::require_not_input(out, {in});
  const io::Volume hr = pipeline::read_finite_volume(in);
  const io::Volume scan = pipeline::simulate_clinical_scan(hr, spec);
  io::write_nifti(out, scan, io::parse_voxel_type(dtype));
  std::printf("%s: %s\n", out.c_str(), scan.geometry.summary().c_str());
  return 0;
}

}  // namespace mcinr::drivers
