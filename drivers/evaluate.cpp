// `mcinr evaluate` and `mcinr mi`: metrics of volumes on disk, as the
// reference scores them (pipeline/evaluation.hpp).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "mcinr/drivers/options.hpp"
#include "mcinr/io/atomic_file.hpp"
#include "mcinr/pipeline/evaluation.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_evaluate(const std::vector<std::string>& args) {
  std::string pred, gt, mask, out;
  po::options_description options(
      "mcinr evaluate: PSNR and SSIM of a prediction against ground truth, as the reference scores them\n"
      "(both shifted by their minimum inside the mask, divided by their maximum, masked; skimage PSNR and\n"
      "3D SSIM with data range 1)");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("pred", po::value(&pred)->required(), "predicted volume (NIfTI)")
      ("gt", po::value(&gt)->required(), "ground truth on the same grid (NIfTI)")
      ("mask", po::value(&mask), "brain mask on the same grid (default: no mask)")
      ("out", po::value(&out), "also write the metrics to this JSON file");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  if (!out.empty()) pipeline::require_not_input(out, {pred, gt, mask});
  const pipeline::DeviceVolume p = pipeline::load_volume(pred), g = pipeline::load_volume(gt);
  pipeline::require_same_grid(p.geometry, pred, g.geometry, gt);
  const pipeline::VolumeScore score = pipeline::score_volume(p, g, pipeline::load_mask(mask, g.geometry));
  std::printf("psnr %.6f\nssim %.6f\n", score.psnr, score.ssim);
  if (!out.empty())
    io::write_file_atomically(out, nlohmann::json{{"psnr", score.psnr}, {"ssim", score.ssim}}.dump() + "\n");
  return 0;
}

int run_mi(const std::vector<std::string>& args) {
  std::string a, b, mask;
  int bins = 32;
  po::options_description options(
      "mcinr mi A B: mutual information (nats) of two volumes on one grid, from a joint histogram over\n"
      "each volume's min..max inside the mask");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("a", po::value(&a)->required(), "first volume (NIfTI)")
      ("b", po::value(&b)->required(), "second volume (NIfTI)")
      ("mask", po::value(&mask), "mask on the same grid (default: every voxel)")
      ("bins", po::value(&bins)->default_value(bins), "histogram bins per axis");
  // clang-format on
  po::positional_options_description positional;
  positional.add("a", 1).add("b", 1);
  po::variables_map vm;
  if (!parse_command(options, args, vm, &positional)) return 0;
  require(bins >= 2 && bins <= 4096, "--bins must be between 2 and 4096");
  const pipeline::DeviceVolume va = pipeline::load_volume(a), vb = pipeline::load_volume(b);
  pipeline::require_same_grid(va.geometry, a, vb.geometry, b);
  std::printf("mi %.6f nats\n", mutual_information(va.values, vb.values, pipeline::load_mask(mask, va.geometry), bins));
  return 0;
}

}  // namespace mcinr::drivers
