#pragma once
// A saved field (a fit's checkpoint.h5) evaluated on any grid, 0.5 mm
// included: the grid is predicted in slabs, so only the output volumes are
// held whole.
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "mcinr/core/field.hpp"
#include "mcinr/pipeline/fit_state.hpp"

namespace mcinr::pipeline {

class Inference {
 public:
  // Reads the checkpoint and the output grid (pipeline::reference_grid):
  // reference's grid, or with spacing > 0 its (or, without reference, the
  // fit's grid's) extent and orientation at spacing mm.
  Inference(const std::string& checkpoint, const std::string& reference, double spacing);

  const io::Geometry& grid() const { return grid_; }
  // The volumes' file names, as the fit names them (<prefix>_desc-mcinr.nii.gz,
  // pipeline/subject_layout.hpp), from the fit's scans.
  std::array<std::string, 2> output_names() const;
  // Predicts both contrasts and writes them into out, unmasked (the fit's
  // masks are not in its checkpoint); returns their paths. progress hears (voxels done, in all, seconds) as
  // the prediction goes.
  std::vector<std::string> run(const std::string& out, const StopRequested& stop = {},
                               const std::function<void(std::size_t, std::size_t, double)>& progress = {});

 private:
  SavedField saved_;
  io::Geometry grid_;
};

}  // namespace mcinr::pipeline
