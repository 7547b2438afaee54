#include "mcinr/pipeline/prepare.hpp"

#include <unistd.h>

#include <filesystem>

#include "mcinr/io/resample.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/grids.hpp"
#include "mcinr/pipeline/subject_layout.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace fs = std::filesystem;

namespace mcinr::pipeline {

std::array<PreparedContrast, 2> prepare_subject(const PrepareRequest& r) {
  require(valid_subject_id(r.id), "--subject-id '" + r.id + "' must be a plain name (no '/', not '.' or '..')");
  require(r.contrast[0] != r.contrast[1], "--c1 and --c2 must differ");
  for (const auto& name : r.contrast)
    require(valid_subject_id(name), "contrast name '" + name + "' must be a plain name");
  require(r.factor >= 1, "--factor must be at least 1");
  require(r.hr_spacing >= 0 && r.hr_spacing <= 100, "--hr-spacing must be between 0 and 100 mm");
  const int axis[2] = {view_axis(r.view[0]), view_axis(r.view[1])};
  if (!r.crop.empty()) require(r.crop.size() == 6, "--crop needs six integers x0,y0,z0,x1,y1,z1");

  // Never onto an input: the volumes to read may sit in the folder to write.
  auto path = [&](const std::string& name) { return (fs::path(r.out) / name).string(); };
  std::vector<std::string> outputs = {path(SubjectNames::brain_mask(r.id))};
  for (int c = 0; c < 2; ++c)
    for (const std::string& name : {SubjectNames::ground_truth(r.id, r.contrast[c]), SubjectNames::scan(r.id, r.contrast[c]),
                                    SubjectNames::scan_mask(r.id, r.contrast[c])})
      outputs.push_back(path(name));
  for (const std::string& output : outputs) require_not_input(output, {r.hr[0], r.hr[1]});
  if (!r.overwrite)
    for (const std::string& output : outputs)
      require(!fs::exists(output), r.out + " holds a prepared subject (" + fs::path(output).filename().string() +
                                       "): choose another --out, or give --overwrite");

  io::Volume hr[2];
  for (int c = 0; c < 2; ++c) hr[c] = read_finite_volume(r.hr[c]);
  require_same_grid(hr[0].geometry, r.hr[0], hr[1].geometry, r.hr[1]);
  for (int c = 0; c < 2; ++c) {
    if (r.hr_spacing > 0) hr[c] = io::resample(hr[c], union_grid(hr[c].geometry, hr[c].geometry, r.hr_spacing), 1);
    if (!r.crop.empty()) hr[c] = crop(hr[c], r.crop);
    if (r.pad_to > 0) hr[c] = pad_z(hr[c], r.pad_to);
  }
  io::Volume lr[2];
  for (int c = 0; c < 2; ++c)
    lr[c] = degrade_volume(hr[c], axis[c], r.factor, r.profile, r.factor * hr[c].geometry.spacing[axis[c]]);

  try {
    fs::create_directories(r.out);
  } catch (const fs::filesystem_error& e) {
    throw InputError(r.out + ": cannot create the subject folder (" + e.code().message() + ")");
  }
  require(::access(r.out.c_str(), W_OK) == 0, r.out + ": the subject folder is not writable");
  std::array<PreparedContrast, 2> prepared;
  for (int c = 0; c < 2; ++c) {
    io::write_nifti(path(SubjectNames::ground_truth(r.id, r.contrast[c])), hr[c]);
    io::write_nifti(path(SubjectNames::scan(r.id, r.contrast[c])), lr[c]);
    io::write_nifti(path(SubjectNames::scan_mask(r.id, r.contrast[c])), threshold_mask(lr[c]));
    prepared[c] = {r.contrast[c], r.view[c], hr[c].geometry, lr[c].geometry};
  }
  io::write_nifti(path(SubjectNames::brain_mask(r.id)), threshold_mask(hr[0]));
  return prepared;
}

}  // namespace mcinr::pipeline
