#include "mcinr/pipeline/inference.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/grids.hpp"
#include "mcinr/pipeline/subject_layout.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace fs = std::filesystem;

namespace mcinr::pipeline {

Inference::Inference(const std::string& checkpoint, const std::string& reference, double spacing) {
  require(!reference.empty() || spacing > 0, "give an output grid: --reference IMG, --spacing MM, or both");
  saved_ = load_saved_field(checkpoint);
  grid_ = reference_grid(reference.empty() ? saved_.grid : read_volume(reference).geometry, spacing);
  require_grid_memory(grid_, 24);  // the prediction (8 B), a contrast's host copies (16)
}

std::array<std::string, 2> Inference::output_names() const { return fit_file_names(saved_.inputs).volume; }

std::vector<std::string> Inference::run(const std::string& out, const StopRequested& stop,
                                        const std::function<void(std::size_t, std::size_t, double)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  try {
    fs::create_directories(out);
  } catch (const fs::filesystem_error& e) {
    throw InputError(out + ": cannot create the output folder (" + e.code().message() + ")");
  }
  require(::access(out.c_str(), W_OK) == 0, out + ": the output folder is not writable");
  Matrix<float> prediction("prediction", grid_.voxels(), saved_.field.contrasts());
  const std::size_t slice = grid_.size[0] * grid_.size[1];
  const std::size_t slab = std::max<std::size_t>(1, (std::size_t(1) << 20) / slice);
  for (std::size_t k0 = 0; k0 < grid_.size[2]; k0 += slab) {
    io::Geometry part = grid_;
    part.size[2] = std::min(slab, grid_.size[2] - k0);
    part.origin = grid_.world(0, 0, double(k0));
    const Matrix<float> coords = grid_coordinates(part, saved_.domain);
    const auto rows = Kokkos::make_pair(k0 * slice, (k0 + part.size[2]) * slice);
    if (!saved_.field.predict(coords, Kokkos::subview(prediction, rows, Kokkos::ALL()), stop))
      throw std::runtime_error("mcinr infer: stopped by a signal before the outputs were written");
    if (progress)
      progress(rows.second, grid_.voxels(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  std::vector<std::string> written;
  for (int c = 0; c < 2; ++c) {
    const std::string path = (fs::path(out) / output_names()[c]).string();
    io::write_nifti(path, rescaled(grid_, unit_scaled(prediction, c), saved_.intensity_lo[c], saved_.intensity_hi[c]));
    written.push_back(path);
  }
  return written;
}

}  // namespace mcinr::pipeline
