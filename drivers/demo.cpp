// `mcinr demo`: the image pipeline on a generated phantom (the README's first
// command); `mcinr demo --engine`: the engine alone, in memory
// (pipeline/demo.hpp).
#include <cstdio>
#include <iostream>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/demo.hpp"

#ifdef MCINR_HAVE_NIFTI
#include "mcinr/drivers/console.hpp"
#endif

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_engine_demo(const std::vector<std::string>& args) {
  pipeline::EngineDemoConfig demo;
  pipeline::FitConfig training;
  training.field = demo.field;
  training.train = demo.train;
  po::options_description options(
      "mcinr demo --engine: fit an analytic two-contrast phantom from two anisotropic scans");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("grid", po::value(&demo.grid)->default_value(demo.grid), "isotropic grid size (voxels per axis)")
      ("factor", po::value(&demo.factor)->default_value(demo.factor), "slice thickness of the LR scans, in voxels")
      ("out", po::value(&demo.out)->default_value(demo.out), "output folder (metrics.csv)")
      ("eval-every", po::value(&demo.eval_every)->default_value(demo.eval_every), "score the field every N epochs");
  // clang-format on
  add_fit_options(options, training, true);
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  apply_fit_options(vm, training, true);
  demo.field = training.field;
  demo.train = training.train;
  demo.validate();
  std::cout << "mcinr demo on " << backends::describe(backends::device_info()) << "\n"
            << "phantom " << demo.grid << "^3, contrast 1 axial and contrast 2 coronal with " << demo.factor
            << "-voxel slices (" << demo.grid / demo.factor << " slices each)\n";
  const pipeline::EngineDemoResult result = pipeline::run_engine_demo(
      demo,
      [&](const pipeline::EngineDemoResult& r) {
        std::cout << "model " << to_string(demo.field.mlp.architecture) << ", " << r.parameters << " parameters, "
                  << r.batches_per_epoch << " batches per epoch" << std::endl;
      },
      [&](const pipeline::EngineDemoEpoch& e) {
        std::printf("epoch %3d/%d  lr %.2e  loss %.3e  %6.0f samples/s", e.stats.epoch, demo.train.epochs, e.stats.lr,
                    e.stats.loss, e.stats.samples_per_second);
        if (e.scored) std::printf("  PSNR %.2f / %.2f dB", e.psnr[0], e.psnr[1]);
        std::printf("\n");
        std::fflush(stdout);
      });
  std::printf("\n%-28s %12s %12s\n", "PSNR (dB) vs truth", "contrast 1", "contrast 2");
  std::printf("%-28s %12.2f %12.2f\n", "linear interpolation", result.linear_psnr[0], result.linear_psnr[1]);
  std::printf("%-28s %12.2f %12.2f\n", "mcinr field", result.field_psnr[0], result.field_psnr[1]);
  std::printf("metrics: %s\n", result.metrics.c_str());
  return 0;
}

#ifdef MCINR_HAVE_NIFTI
int run_demo(const std::vector<std::string>& args) {
  pipeline::ImageDemoConfig demo;
  po::options_description options(
      "mcinr demo: degrade, fit, baseline and evaluate on a generated two-contrast phantom (no data needed);\n"
      "`mcinr demo --engine` runs the engine-only demo instead");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("size", po::value(&demo.size)->default_value(demo.size), "phantom size in 1 mm voxels per axis (multiple of 4)")
      ("epochs", po::value(&demo.epochs)->default_value(demo.epochs), "training epochs")
      ("out", po::value(&demo.out)->default_value(demo.out), "output folder");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  ConsoleFitObserver console;
  const pipeline::ImageDemoResult r = pipeline::run_image_demo(
      demo,
      [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      },
      console);
  std::printf("\n%-22s %9s %9s %9s %9s\n", "vs ground truth", "PSNR c1", "SSIM c1", "PSNR c2", "SSIM c2");
  std::printf("%-22s %9.2f %9.4f %9.2f %9.4f\n", "linear interpolation", r.linear[0].psnr, r.linear[0].ssim,
              r.linear[1].psnr, r.linear[1].ssim);
  std::printf("%-22s %9.2f %9.4f %9.2f %9.4f\n", "mcinr field", r.field[0].psnr, r.field[0].ssim, r.field[1].psnr,
              r.field[1].ssim);
  std::printf(
      "outputs: %s (fit/demo_c*_desc-mcinr.nii.gz, fit/report.html, fit/metrics.csv, fit/slices.png, "
      "linear_c*.nii.gz)\n",
      demo.out.c_str());
  return 0;
}
#else
int run_demo(const std::vector<std::string>& args) { return run_engine_demo(args); }
#endif

}  // namespace mcinr::drivers
