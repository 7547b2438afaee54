// `mcinr prepare --subject-id ID --hr1 A --hr2 B --c1 NAME --c2 NAME --out DIR`:
// a subject folder in the reference's naming (pipeline/prepare.hpp).
#include <cstdio>
#include <sstream>

#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/prepare.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_prepare(const std::vector<std::string>& args) {
  pipeline::PrepareRequest r;
  std::string crop_box, profile = "decimate";
  po::options_description options("mcinr prepare: a subject folder for `mcinr fit --subject` from two HR volumes");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("subject-id", po::value(&r.id)->required(), "subject id (file name prefix)")
      ("hr1", po::value(&r.hr[0])->required(), "high-resolution volume of contrast 1")
      ("hr2", po::value(&r.hr[1])->required(), "high-resolution volume of contrast 2, same grid")
      ("c1", po::value(&r.contrast[0])->required(), "name of contrast 1 (e.g. t1c)")
      ("c2", po::value(&r.contrast[1])->required(), "name of contrast 2 (e.g. t2f)")
      ("view1", po::value(&r.view[0])->default_value(r.view[0]), "thick-slice view of contrast 1")
      ("view2", po::value(&r.view[1])->default_value(r.view[1]), "thick-slice view of contrast 2")
      ("factor", po::value(&r.factor)->default_value(r.factor), "slice thickness in HR voxels")
      ("profile", po::value(&profile)->default_value(profile), "slice profile: decimate, box or gaussian")
      ("pad-to", po::value(&r.pad_to), "zero-pad z to this many slices first (the reference's BraTS: 160)")
      ("hr-spacing", po::value(&r.hr_spacing), "resample the ground truth to this isotropic spacing (mm) first")
      ("crop", po::value(&crop_box), "keep the voxel box x0,y0,z0,x1,y1,z1 of the (resampled) ground truth")
      ("out", po::value(&r.out)->required(), "subject folder to write")
      ("overwrite", po::bool_switch(&r.overwrite), "replace the files of a subject prepared in --out before");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  r.profile = pipeline::parse_slice_profile(profile);
  if (!crop_box.empty()) {
    std::stringstream parts(crop_box);
    for (std::string part; std::getline(parts, part, ',');) {
      std::size_t used = 0;
      try {
        r.crop.push_back(std::stol(part, &used));
      } catch (const std::exception&) {
      }
      require(used == part.size() && !part.empty(), "--crop: '" + part + "' is not an integer");
    }
    require(r.crop.size() == 6, "--crop needs six integers x0,y0,z0,x1,y1,z1");
  }
  for (const auto& c : pipeline::prepare_subject(r))
    std::printf("%s: %s %zux%zux%zu, LR %s %zux%zux%zu\n", r.id.c_str(), c.name.c_str(), c.hr.size[0], c.hr.size[1],
                c.hr.size[2], c.view.c_str(), c.lr.size[0], c.lr.size[1], c.lr.size[2]);
  std::printf("wrote %s: ready for mcinr fit --subject %s --contrasts %s,%s\n", r.out.c_str(), r.out.c_str(),
              r.contrast[0].c_str(), r.contrast[1].c_str());
  return 0;
}

}  // namespace mcinr::drivers
