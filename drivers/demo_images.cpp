// `mcinr demo` (image pipeline): everything a user does with a real subject,
// on data mcinr makes itself, so it runs on a fresh machine with no download.
//   1. two 1 mm ground-truth volumes of an analytic two-contrast phantom
//      (docs/demo.md says why a phantom);
//   2. prepare = degrade: an axial scan of contrast 1 and a coronal scan of
//      contrast 2, 4 mm slices;
//   3. fit one field to both scans, scored against the ground truth;
//   4. baseline (linear interpolation) and evaluate, for the table.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>

#include "core/metrics.hpp"
#include "core/phantom.hpp"
#include "drivers/baseline.hpp"
#include "drivers/demo.hpp"
#include "drivers/fit.hpp"
#include "drivers/options.hpp"
#include "drivers/prepare.hpp"
#include "drivers/volumes.hpp"
#include "io/nifti.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mcinr::drivers {

namespace {

// Phantom contrast c on an n^3 grid of 1 mm voxels centred on the origin,
// zero outside a ball (the background around a head), intensities ~0..1000.
io::Volume phantom_volume(int contrast, int n) {
  io::Volume v;
  v.geometry.size = {std::size_t(n), std::size_t(n), std::size_t(n)};
  const double half = n / 2.0;
  v.geometry.origin = {-half + 0.5, -half + 0.5, -half + 0.5};
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double x = (i + 0.5 - half) / half, y = (j + 0.5 - half) / half, z = (k + 0.5 - half) / half;
        const bool inside = x * x + y * y + z * z <= 0.8;
        v.voxels.push_back(inside ? float(1000.0 * phantom::value<double>(contrast, x, y, z)) : 0.0f);
      }
  return v;
}

struct Score {
  double psnr[2], ssim[2];
};

Score score(const std::string& pred1, const std::string& pred2, const std::string& gt1, const std::string& gt2,
            const std::string& mask) {
  Score s{};
  const std::string pred[2] = {pred1, pred2}, gt[2] = {gt1, gt2};
  for (int c = 0; c < 2; ++c) {
    const DeviceVolume p = load_volume(pred[c]), g = load_volume(gt[c]);
    require_same_grid(p.geometry, pred[c], g.geometry, gt[c]);
    const auto m = load_mask(mask, g.geometry);
    s.psnr[c] = psnr_reference(p.values, g.values, m);
    s.ssim[c] = ssim_reference(p.values, g.values, m, g.shape());
  }
  return s;
}

}  // namespace

int run_demo_images(const std::vector<std::string>& args) {
  int size = 48, epochs = 30;
  std::string out = "mcinr-demo";
  po::options_description options(
      "mcinr demo: degrade, fit, baseline and evaluate on a generated two-contrast phantom (no data needed);\n"
      "`mcinr demo --engine` runs the engine-only demo instead");
  options.add_options()("help,h", "show this help")
      ("size", po::value(&size)->default_value(size), "phantom size in 1 mm voxels per axis (multiple of 4)")
      ("epochs", po::value(&epochs)->default_value(epochs), "training epochs")
      ("out", po::value(&out)->default_value(out), "output folder");
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(size >= 16 && size <= 256 && size % 4 == 0, "--size must be a multiple of 4 between 16 and 256");
  require(epochs >= 1, "--epochs must be at least 1");

  const fs::path dir(out), hr_dir = dir / "hr", subject = dir / "subject", fit = dir / "fit";
  fs::create_directories(hr_dir);
  std::printf("1. ground truth: analytic two-contrast phantom, %d^3 at 1 mm -> %s\n", size, hr_dir.c_str());
  for (int c = 0; c < 2; ++c)
    io::write_nifti((hr_dir / ("phantom_c" + std::to_string(c + 1) + ".nii.gz")).string(), phantom_volume(c, size));
  const std::string hr1 = (hr_dir / "phantom_c1.nii.gz").string(), hr2 = (hr_dir / "phantom_c2.nii.gz").string();

  std::printf("2. degrade: axial 1x1x4 mm scan of contrast 1, coronal 1x4x1 mm scan of contrast 2\n");
  run_prepare({"--subject-id", "demo", "--hr1", hr1, "--hr2", hr2, "--c1", "c1", "--c2", "c2", "--view1", "axial",
               "--view2", "coronal", "--factor", "4", "--out", subject.string()});

  std::printf("3. fit one field to both scans\n");
  fs::remove_all(fit);
  // Sizes for well under a second per epoch here; the phantom is smooth, hence the low Fourier
  // scale (docs/demo.md: scale 0.5 / 1 / 2 and 60 epochs were tried).
  run_fit({"--subject", subject.string(), "--contrasts", "c1,c2", "--hidden", "128", "--layers", "3",
           "--head-hidden", "64", "--fourier-features", "64", "--fourier-scale", "1.0", "--epochs",
           std::to_string(epochs), "--lr", "2e-3", "--eval-every", "5", "--out", fit.string()});

  std::printf("4. baseline (linear interpolation of each scan) and evaluate\n");
  const std::string gt1 = (subject / "demo_c1.nii.gz").string(), gt2 = (subject / "demo_c2.nii.gz").string();
  const std::string mask = (subject / "demo_brainmask.nii.gz").string();
  const std::string lin1 = (dir / "linear_c1.nii.gz").string(), lin2 = (dir / "linear_c2.nii.gz").string();
  run_baseline({"--image", (subject / "demo_c1_LR.nii.gz").string(), "--reference", gt1, "--order", "1", "--out", lin1});
  run_baseline({"--image", (subject / "demo_c2_LR.nii.gz").string(), "--reference", gt2, "--order", "1", "--out", lin2});
  const Score linear = score(lin1, lin2, gt1, gt2, mask);
  const Score field = score((fit / "contrast1.nii.gz").string(), (fit / "contrast2.nii.gz").string(), gt1, gt2, mask);

  std::printf("\n%-22s %9s %9s %9s %9s\n", "vs ground truth", "PSNR c1", "SSIM c1", "PSNR c2", "SSIM c2");
  std::printf("%-22s %9.2f %9.4f %9.2f %9.4f\n", "linear interpolation", linear.psnr[0], linear.ssim[0],
              linear.psnr[1], linear.ssim[1]);
  std::printf("%-22s %9.2f %9.4f %9.2f %9.4f\n", "mcinr field", field.psnr[0], field.ssim[0], field.psnr[1],
              field.ssim[1]);
  std::printf("outputs: %s (fit/contrast*.nii.gz, fit/metrics.csv, fit/slices.png, linear_c*.nii.gz)\n", out.c_str());
  return 0;
}

}  // namespace mcinr::drivers
