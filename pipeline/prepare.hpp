#pragma once
// A subject folder for `mcinr fit --subject` from two high-resolution volumes
// on one grid, as the reference prepares its subjects: for each contrast the
// ground truth, a thick-slice scan by the slice model and its >= 1 mask, and
// the brain mask (contrast 1's ground truth >= 1). Optionally the ground truth
// is first resampled to an isotropic spacing, cropped and z-padded.
#include <array>
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"
#include "mcinr/pipeline/slice_model.hpp"

namespace mcinr::pipeline {

struct PrepareRequest {
  std::string id;                       // file name prefix
  std::array<std::string, 2> hr;        // high-resolution volumes
  std::array<std::string, 2> contrast;  // names, e.g. t1c, t2f
  std::array<std::string, 2> view = {"axial", "coronal"};
  int factor = 4;
  SliceProfile profile = SliceProfile::decimate;
  std::size_t pad_to = 0;  // 0: no padding
  double hr_spacing = 0;   // 0: keep the grid
  std::vector<long> crop;  // empty, or x0,y0,z0,x1,y1,z1
  std::string out;         // the subject folder
  bool overwrite = false;  // replace the files of a subject prepared there before
};

struct PreparedContrast {
  std::string name, view;
  io::Geometry hr, lr;
};

// Checks the request, reads both volumes, and writes the folder. InputError
// for bad input (before anything is written).
std::array<PreparedContrast, 2> prepare_subject(const PrepareRequest& request);

}  // namespace mcinr::pipeline
