// `mcinr baseline`: resamples a low-resolution scan onto a grid with ITK's
// interpolators (order 0 nearest, 1 linear, 3 cubic B-spline), points outside
// the scan getting 0.
#include "drivers/baseline.hpp"

#include <boost/program_options.hpp>
#include <cstdio>

#include "drivers/options.hpp"
#include "drivers/volumes.hpp"
#include "io/nifti.hpp"
#include "io/resample.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_baseline(const std::vector<std::string>& args) {
  std::string image_path, reference, out;
  int order = 1;
  po::options_description options("mcinr baseline: interpolate a low-resolution scan onto a grid (ITK)");
  options.add_options()("help,h", "show this help")
      ("image", po::value(&image_path)->required(), "low-resolution scan (NIfTI)")
      ("reference", po::value(&reference)->required(), "image whose grid to resample onto (e.g. the ground truth)")
      ("order", po::value(&order)->default_value(order), "0 nearest, 1 linear, 3 cubic B-spline")
      ("out", po::value(&out)->required(), "output volume (NIfTI)");
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(order == 0 || order == 1 || order == 3, "--order must be 0, 1 or 3");
  const io::Volume lr = read_finite_volume(image_path);
  const io::Geometry grid = read_host_volume(reference).geometry;

  const io::Volume hr = io::resample(lr, grid, order);
  try {
    io::write_nifti(out, hr);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::printf("%s: %s interpolation onto %zux%zux%zu\n", out.c_str(),
              order == 0 ? "nearest" : order == 1 ? "linear" : "cubic B-spline", grid.size[0], grid.size[1],
              grid.size[2]);
  return 0;
}

}  // namespace mcinr::drivers
