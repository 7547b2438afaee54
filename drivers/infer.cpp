// `mcinr infer`: a saved field on any grid (pipeline::Inference).
#include <cstdio>
#include <filesystem>

#include "mcinr/drivers/console.hpp"
#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/inference.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_infer(const std::vector<std::string>& args) {
  std::string checkpoint, reference, out;
  double spacing = 0;
  bool overwrite = false;
  po::options_description options("mcinr infer: evaluate a fitted field (checkpoint.h5) on a grid");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("checkpoint", po::value(&checkpoint)->required(), "checkpoint.h5 of a fit")
      ("reference", po::value(&reference), "output grid: this image's grid")
      ("spacing", po::value(&spacing), "output grid: the fit's grid extent and orientation at this spacing (mm)")
      ("out", po::value(&out)->required(), "output folder (<prefix>_desc-mcinr.nii.gz per contrast, named as the fit names them)")
      ("overwrite", po::bool_switch(&overwrite), "replace the volumes of an earlier infer in --out");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  // Never onto an input, never into a fit's folder (its volumes are the
  // corrected ones), never over an earlier infer's volumes unasked.
  for (const char* name : {"summary.json", "checkpoint.h5"})
    require(!std::filesystem::exists(std::filesystem::path(out) / name),
            out + " holds a fit (" + name + "): its volumes would be replaced; choose another --out");
  pipeline::Inference inference(checkpoint, reference, spacing);
  for (const std::string& name : inference.output_names()) {
    const std::string path = (std::filesystem::path(out) / name).string();
    pipeline::require_not_input(path, {checkpoint, reference});
    require(overwrite || !std::filesystem::exists(path), path + " exists: choose another --out, or give --overwrite");
  }
  const io::Geometry& g = inference.grid();
  std::printf("mcinr infer: %s on a %zux%zux%zu grid (%.3g x %.3g x %.3g mm)\n", checkpoint.c_str(), g.size[0],
              g.size[1], g.size[2], g.spacing[0], g.spacing[1], g.spacing[2]);
  std::fflush(stdout);
  PredictionProgress progress;
  const std::vector<std::string> written = inference.run(
      out, {}, [&](std::size_t done, std::size_t total, double seconds) { progress.update(done, total, seconds); });
  std::printf("wrote %s, %s\n", written[0].c_str(), written[1].c_str());
  return 0;
}

}  // namespace mcinr::drivers
