// `mcinr baseline`: a low-resolution scan resampled onto a grid with ITK's
// interpolators (order 0 nearest, 1 linear, 3 cubic B-spline); points outside
// the scan get 0.
#include <cstdio>

#include "mcinr/drivers/options.hpp"
#include "mcinr/io/resample.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_baseline(const std::vector<std::string>& args) {
  std::string image, reference, out;
  int order = 1;
  po::options_description options("mcinr baseline: interpolate a low-resolution scan onto a grid (ITK)");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("image", po::value(&image)->required(), "low-resolution scan (NIfTI)")
      ("reference", po::value(&reference)->required(), "image whose grid to resample onto (e.g. the ground truth)")
      ("order", po::value(&order)->default_value(order), "0 nearest, 1 linear, 3 cubic B-spline")
      ("out", po::value(&out)->required(), "output volume (NIfTI)");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(order == 0 || order == 1 || order == 3, "--order must be 0, 1 or 3");
  pipeline::require_output_nifti(out);
  pipeline::require_not_input(out, {image, reference});
  const io::Volume lr = pipeline::read_finite_volume(image);
  const io::Geometry grid = pipeline::read_volume(reference).geometry;
  io::write_nifti(out, io::resample(lr, grid, order));
  std::printf("%s: %s interpolation onto %zux%zux%zu\n", out.c_str(),
              order == 0   ? "nearest"
              : order == 1 ? "linear"
                           : "cubic B-spline",
              grid.size[0], grid.size[1], grid.size[2]);
  return 0;
}

}  // namespace mcinr::drivers
