// The mcinr command: `mcinr <command> [options]`.
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "backends/device_info.hpp"
#include "drivers/baseline.hpp"
#include "drivers/cohort.hpp"
#include "drivers/degrade.hpp"
#include "drivers/demo.hpp"
#include "drivers/evaluate.hpp"
#include "drivers/fit.hpp"
#include "drivers/infer.hpp"
#include "drivers/prepare.hpp"
#include "drivers/options.hpp"
#include "mcinr/version.hpp"

namespace {

int run_info(const std::vector<std::string>&) {
  std::cout << "mcinr " << MCINR_VERSION_STRING << " (" << MCINR_GIT_HASH << ")\n"
            << mcinr::backends::describe(mcinr::backends::device_info()) << '\n';
  return 0;
}

void usage(std::ostream& out) {
  out << "usage: mcinr <command> [options]   (mcinr <command> --help for its options)\n"
         "commands:\n"
         "  demo      degrade, fit, baseline and evaluate on a generated phantom (--engine: in-memory engine demo)\n"
         "  info      version, Kokkos backend and BLAS in use\n"
#ifdef MCINR_HAVE_NIFTI
         "  fit       fit one field to a subject's two low-resolution scans\n"
         "  infer     evaluate a fitted field (checkpoint.h5) on any grid\n"
         "  baseline  interpolate a low-resolution scan onto a grid (nearest, linear, cubic B-spline)\n"
         "  prepare   a subject folder (ground truth, LR scans, masks) from two HR volumes\n"
         "  degrade   simulate a thick-slice scan from a high-resolution one\n"
         "  evaluate  PSNR and SSIM of a predicted volume against ground truth (reference definitions)\n"
         "  mi        mutual information of two volumes (nats)\n"
         "  cohort    many subjects as one Slurm job array: plan, submit, status, collect\n"
#endif
      ;
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    usage(std::cout);
    return 0;
  }
  if (command == "--version") {
    std::cout << "mcinr " << MCINR_VERSION_STRING << " (" << MCINR_GIT_HASH << ")\n";
    return 0;
  }
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {
      {"demo", mcinr::drivers::run_demo},
      {"info", run_info},
#ifdef MCINR_HAVE_NIFTI
      {"evaluate", mcinr::drivers::run_evaluate},
      {"degrade", mcinr::drivers::run_degrade},
      {"baseline", mcinr::drivers::run_baseline},
      {"prepare", mcinr::drivers::run_prepare},
      {"fit", [](const std::vector<std::string>& a) { return mcinr::drivers::run_fit(a); }},
      {"infer", mcinr::drivers::run_infer},
      {"mi", mcinr::drivers::run_mi},
      {"cohort", mcinr::drivers::run_cohort},
#endif
  };
  const auto found = commands.find(command);
  if (found == commands.end()) {
    std::cerr << "mcinr: error: unknown command '" << command << "'\n";
    usage(std::cerr);
    return 2;
  }
  std::vector<std::string> args;
  for (int i = 2; i < argc; ++i)
    if (std::string(argv[i]).rfind("--kokkos-", 0) != 0) args.push_back(argv[i]);
  auto run = found->second;
  if (command == "demo") {
    // The image pipeline where io/ is built; `--engine` (or a build without
    // ITK) runs the engine-only demo.
    const auto engine = std::find(args.begin(), args.end(), "--engine");
    const bool engine_only = engine != args.end();
    if (engine_only) args.erase(engine);
#ifdef MCINR_HAVE_NIFTI
    if (!engine_only) run = mcinr::drivers::run_demo_images;
#endif
  }
  // Kokkos sees only its own --kokkos-* options: a command's --help is not
  // Kokkos' help.
  std::vector<char*> kokkos_argv = {argv[0]};
  for (int i = 2; i < argc; ++i)
    if (std::string(argv[i]).rfind("--kokkos-", 0) == 0) kokkos_argv.push_back(argv[i]);
  int kokkos_argc = int(kokkos_argv.size());
  kokkos_argv.push_back(nullptr);
  Kokkos::ScopeGuard kokkos(kokkos_argc, kokkos_argv.data());
  if (const std::string warning = mcinr::backends::prepare_host_blas(); !warning.empty())
    std::cerr << warning << '\n';
  try {
    return run(args);
  } catch (const mcinr::drivers::UsageError& e) {
    std::cerr << "mcinr: error: " << e.what() << '\n';
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "mcinr: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "mcinr: error: " << e.what() << '\n';
    return 1;
  }
}
