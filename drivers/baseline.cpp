// `mcinr baseline`: resamples a low-resolution scan onto a grid with ITK's
// interpolators (order 0 nearest, 1 linear, 3 cubic B-spline), points outside
// the scan getting 0.
#include "drivers/baseline.hpp"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>

#include "drivers/options.hpp"
#include "io/nifti.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

namespace {

using Image = itk::Image<float, 3>;

Image::Pointer to_itk(const io::Volume& v) {
  auto image = Image::New();
  Image::RegionType region;
  Image::SpacingType spacing;
  Image::PointType origin;
  Image::DirectionType direction;
  for (int d = 0; d < 3; ++d) {
    region.SetSize(d, v.geometry.size[d]);
    spacing[d] = v.geometry.spacing[d];
    origin[d] = v.geometry.origin[d];
    for (int c = 0; c < 3; ++c) direction(d, c) = v.geometry.direction[3 * d + c];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  std::copy(v.voxels.begin(), v.voxels.end(), image->GetBufferPointer());
  return image;
}

io::Volume read(const std::string& path) {
  try {
    return io::read_nifti(path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

}  // namespace

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
  const io::Volume lr = read(image_path);
  for (float v : lr.voxels) require(std::isfinite(v), image_path + ": contains NaN or infinite voxels");
  const io::Geometry grid = read(reference).geometry;

  auto resample = itk::ResampleImageFilter<Image, Image>::New();
  resample->SetInput(to_itk(lr));
  if (order == 0) resample->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<Image, double>::New());
  if (order == 1) resample->SetInterpolator(itk::LinearInterpolateImageFunction<Image, double>::New());
  if (order == 3) {
    auto bspline = itk::BSplineInterpolateImageFunction<Image, double, double>::New();
    bspline->SetSplineOrder(3);
    resample->SetInterpolator(bspline);
  }
  Image::SizeType size;
  Image::SpacingType spacing;
  Image::PointType origin;
  Image::DirectionType direction;
  for (int d = 0; d < 3; ++d) {
    size[d] = grid.size[d];
    spacing[d] = grid.spacing[d];
    origin[d] = grid.origin[d];
    for (int c = 0; c < 3; ++c) direction(d, c) = grid.direction[3 * d + c];
  }
  resample->SetSize(size);
  resample->SetOutputSpacing(spacing);
  resample->SetOutputOrigin(origin);
  resample->SetOutputDirection(direction);
  resample->SetDefaultPixelValue(0);
  resample->Update();
  io::Volume hr;
  hr.geometry = grid;
  const float* buffer = resample->GetOutput()->GetBufferPointer();
  hr.voxels.assign(buffer, buffer + grid.voxels());
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
