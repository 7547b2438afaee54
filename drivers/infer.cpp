// `mcinr infer`: a saved field on any grid, 0.5 mm included. The grid is
// processed in slabs, so only the output volumes are held whole.
#include "drivers/infer.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "drivers/options.hpp"
#include "drivers/subject.hpp"
#include "io/checkpoint.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mcinr::drivers {

int run_infer(const std::vector<std::string>& args) {
  std::string checkpoint_path, reference, out;
  double spacing = 0;
  po::options_description options("mcinr infer: evaluate a fitted field (checkpoint.h5) on a grid");
  options.add_options()("help,h", "show this help")
      ("checkpoint", po::value(&checkpoint_path)->required(), "checkpoint.h5 of a fit")
      ("reference", po::value(&reference), "output grid: this image's grid")
      ("spacing", po::value(&spacing), "output grid: the fit's grid extent and orientation at this spacing (mm)")
      ("out", po::value(&out)->required(), "output folder (contrast1.nii.gz, contrast2.nii.gz)");
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(reference.empty() != (spacing <= 0), "give exactly one of --reference IMG and --spacing MM");

  io::Checkpoint c;
  try {
    c = io::read_checkpoint(checkpoint_path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  auto setting = [&](const char* name) {
    const auto found = c.settings.find(name);
    require(found != c.settings.end(), checkpoint_path + ": no " + name + " setting");
    return found->second;
  };
  MlpConfig config;
  config.architecture = parse_architecture(c.model);
  config.hidden = int(setting("hidden"));
  config.layers = int(setting("layers"));
  config.head_hidden = int(setting("head_hidden"));
  const int features = int(setting("fourier_features"));
  config.input_dim = 2 * features;
  require(c.fourier_matrix.size() == std::size_t(3 * features), checkpoint_path + ": bad Fourier matrix");
  const auto encoding = FourierEncoding<float>::from_matrix(features, c.fourier_matrix.data());
  Mlp<float> mlp(config, 4096);
  require(c.parameters.size() == mlp.parameter_count(), checkpoint_path + ": parameters do not fit its model");
  Kokkos::deep_copy(mlp.parameters(), Kokkos::View<const float*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                                          c.parameters.data(), c.parameters.size()));

  const io::Geometry grid = reference.empty() ? union_grid(c.grid, c.grid, spacing) : read_host_volume(reference).geometry;
  try {
    fs::create_directories(out);
  } catch (const fs::filesystem_error& e) {
    throw UsageError(out + ": cannot create the output folder (" + e.code().message() + ")");
  }
  require(::access(out.c_str(), W_OK) == 0, out + ": the output folder is not writable");

  const FieldDomain domain{c.domain_lo, c.domain_hi};
  Matrix<float> prediction("prediction", grid.voxels(), mlp.contrasts());
  const std::size_t slice = grid.size[0] * grid.size[1];
  const std::size_t slab = std::max<std::size_t>(1, (1u << 20) / slice);
  std::printf("mcinr infer: %s on a %zux%zux%zu grid (%.3g x %.3g x %.3g mm)\n", checkpoint_path.c_str(), grid.size[0],
              grid.size[1], grid.size[2], grid.spacing[0], grid.spacing[1], grid.spacing[2]);
  for (std::size_t k0 = 0; k0 < grid.size[2]; k0 += slab) {
    io::Geometry part = grid;
    part.size[2] = std::min(slab, grid.size[2] - k0);
    part.origin = grid.world(0, 0, double(k0));
    const Matrix<float> coords = grid_coordinates(part, domain);
    const auto rows = Kokkos::make_pair(k0 * slice, (k0 + part.size[2]) * slice);
    predict_field<float>(encoding, mlp, coords, Kokkos::subview(prediction, rows, Kokkos::ALL()));
  }
  for (int k = 0; k < 2; ++k)
    write_scaled_volume((fs::path(out) / ("contrast" + std::to_string(k + 1) + ".nii.gz")).string(), grid,
                        unit_scaled(prediction, k), c.intensity_lo[k], c.intensity_hi[k]);
  std::printf("wrote %s/contrast1.nii.gz, contrast2.nii.gz\n", out.c_str());
  return 0;
}

}  // namespace mcinr::drivers
