// `mcinr prepare --subject-id ID --hr1 A --hr2 B --c1 NAME --c2 NAME --view1 axial --view2 coronal --out DIR`
// Writes <ID>_<c>.nii.gz (ground truth), <ID>_<c>_LR.nii.gz and
// <ID>_<c>_mask_LR.nii.gz (by `mcinr degrade`'s slice model) for both
// contrasts, and <ID>_brainmask.nii.gz (ground truth 1 >= 1), as the
// reference prepares its subjects. For quick runs: --hr-spacing MM first
// resamples the ground truth (linear), --crop a voxel box of it.
#include "drivers/prepare.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "drivers/degrade.hpp"
#include "drivers/options.hpp"
#include "drivers/subject.hpp"
#include "drivers/volumes.hpp"
#include "io/resample.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mcinr::drivers {

namespace {

io::Volume crop(const io::Volume& v, const std::vector<long>& box) {
  const auto& s = v.geometry.size;
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

}  // namespace

int run_prepare(const std::vector<std::string>& args) {
  std::string id, hr_path[2], name[2], view[2], out, crop_box, profile = "decimate";
  int factor = 4, pad_to = 0;
  double hr_spacing = 0;
  po::options_description options("mcinr prepare: a subject folder for `mcinr fit --subject` from two HR volumes");
  options.add_options()("help,h", "show this help")
      ("subject-id", po::value(&id)->required(), "subject id (file name prefix)")
      ("hr1", po::value(&hr_path[0])->required(), "high-resolution volume of contrast 1")
      ("hr2", po::value(&hr_path[1])->required(), "high-resolution volume of contrast 2, same grid")
      ("c1", po::value(&name[0])->required(), "name of contrast 1 (e.g. t1c)")
      ("c2", po::value(&name[1])->required(), "name of contrast 2 (e.g. t2f)")
      ("view1", po::value(&view[0])->default_value("axial"), "thick-slice view of contrast 1")
      ("view2", po::value(&view[1])->default_value("coronal"), "thick-slice view of contrast 2")
      ("factor", po::value(&factor)->default_value(factor), "slice thickness in HR voxels")
      ("profile", po::value(&profile)->default_value(profile), "slice profile: decimate, box or gaussian")
      ("pad-to", po::value(&pad_to), "zero-pad z to this many slices first (the reference's BraTS: 160)")
      ("hr-spacing", po::value(&hr_spacing), "resample the ground truth to this isotropic spacing (mm) first")
      ("crop", po::value(&crop_box), "keep the voxel box x0,y0,z0,x1,y1,z1 of the (resampled) ground truth")
      ("out", po::value(&out)->required(), "subject folder to write");
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(name[0] != name[1], "--c1 and --c2 must differ");
  require(profile == "decimate" || profile == "box" || profile == "gaussian",
          "unknown --profile '" + profile + "' (expected decimate, box or gaussian)");
  const int axis[2] = {view_axis(view[0]), view_axis(view[1])};
  std::vector<long> box;
  if (!crop_box.empty()) {
    std::stringstream parts(crop_box);
    for (std::string part; std::getline(parts, part, ',');) {
      try {
        box.push_back(std::stol(part));
      } catch (const std::exception&) {
        throw UsageError("--crop: '" + part + "' is not an integer");
      }
    }
    require(box.size() == 6, "--crop needs six integers x0,y0,z0,x1,y1,z1");
  }

  io::Volume hr[2];
  for (int c = 0; c < 2; ++c) hr[c] = read_finite_volume(hr_path[c]);
  require_same_grid(hr[0].geometry, hr_path[0], hr[1].geometry, hr_path[1]);
  for (int c = 0; c < 2; ++c) {
    if (hr_spacing > 0) hr[c] = io::resample(hr[c], union_grid(hr[c].geometry, hr[c].geometry, hr_spacing), 1);
    if (!box.empty()) hr[c] = crop(hr[c], box);
    if (pad_to > 0) hr[c] = pad_z(hr[c], pad_to);
  }
  try {
    fs::create_directories(out);
  } catch (const fs::filesystem_error& e) {
    throw UsageError(out + ": cannot create the subject folder (" + e.code().message() + ")");
  }
  auto path = [&](const std::string& tail) { return (fs::path(out) / (id + tail)).string(); };
  try {
    for (int c = 0; c < 2; ++c) {
      const io::Volume lr =
          degrade_volume(hr[c], axis[c], factor, profile, factor * hr[c].geometry.spacing[axis[c]]);
      io::write_nifti(path("_" + name[c] + ".nii.gz"), hr[c]);
      io::write_nifti(path("_" + name[c] + "_LR.nii.gz"), lr);
      io::write_nifti(path("_" + name[c] + "_mask_LR.nii.gz"), threshold_mask(lr));
      std::printf("%s: %s %zux%zux%zu, LR %s %zux%zux%zu\n", id.c_str(), name[c].c_str(), hr[c].geometry.size[0],
                  hr[c].geometry.size[1], hr[c].geometry.size[2], view[c].c_str(), lr.geometry.size[0],
                  lr.geometry.size[1], lr.geometry.size[2]);
    }
    io::write_nifti(path("_brainmask.nii.gz"), threshold_mask(hr[0]));
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::printf("wrote %s: ready for mcinr fit --subject %s --contrasts %s,%s\n", out.c_str(), out.c_str(),
              name[0].c_str(), name[1].c_str());
  return 0;
}

}  // namespace mcinr::drivers
