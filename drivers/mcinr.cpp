// The mcinr command: `mcinr <command> [options]`. Exit status: 0 done, 1 a
// runtime failure, 2 bad input or usage, 70 an internal error, 75
// interrupted by a stop signal after checkpointing (pipeline/errors.hpp).
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/errors.hpp"
#ifdef MCINR_HAVE_NIFTI
#include "mcinr/pipeline/volumes.hpp"
#endif
#include "mcinr/version.hpp"

namespace {

// `mcinr info`: the build and backend; `mcinr info FILE...`: each NIfTI
// file's geometry, as a fit prints its scans at the start.
int run_info(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cout << "mcinr " << MCINR_VERSION_STRING << " (" << MCINR_GIT_HASH << ")\n"
              << mcinr::backends::describe(mcinr::backends::device_info()) << '\n';
    return 0;
  }
#ifdef MCINR_HAVE_NIFTI
  for (const std::string& path : args) {
    if (path.rfind("-", 0) == 0) {
      if (path == "--help" || path == "-h") {
        std::cout << "usage: mcinr info [FILE.nii[.gz] ...]   (no file: the build and backend)\n";
        return 0;
      }
      throw mcinr::pipeline::InputError("info: unknown option '" + path + "' (mcinr info [FILE ...])");
    }
    std::cout << path << ": " << mcinr::pipeline::read_volume(path).geometry.summary() << '\n';
  }
  return 0;
#else
  throw mcinr::pipeline::InputError("info FILE: this build reads no NIfTI (MCINR_ENABLE_IO=OFF)");
#endif
}

void usage(std::ostream& out) {
  out << "usage: mcinr <command> [options]   (mcinr <command> --help for its options)\n"
         "commands:\n"
         "  demo      degrade, fit, baseline and evaluate on a generated phantom (--engine: in-memory engine demo)\n"
         "  info      version, Kokkos backend and BLAS in use; with files, each one's geometry\n"
#ifdef MCINR_HAVE_NIFTI
         "  fit       fit one field to a subject's two low-resolution scans\n"
         "  infer     evaluate a fitted field (checkpoint.h5) on any grid\n"
         "  baseline  interpolate a low-resolution scan onto a grid (nearest, linear, cubic B-spline)\n"
         "  prepare   a subject folder (ground truth, LR scans, masks) from two HR volumes\n"
         "  degrade   simulate a thick-slice scan from a high-resolution one\n"
         "  simulate  simulate a clinical 2D scan (oblique, storage order, slab profile, noise, int16)\n"
         "  register  align one scan to another (rigid): the moving scan's header corrected, an ITK .tfm\n"
         "  evaluate  PSNR and SSIM of a predicted volume against ground truth (reference definitions)\n"
         "  mi        mutual information of two volumes (nats)\n"
         "  cohort    many subjects as one Slurm job array: plan, submit, status, collect\n"
#endif
      ;
}

}  // namespace

int main(int argc, char* argv[]) {
  mcinr::backends::flush_subnormals();
  namespace d = mcinr::drivers;
  if (argc < 2) {
    usage(std::cerr);
    return mcinr::pipeline::exit_usage;
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
      {"demo", d::run_demo},
      {"info", run_info},
#ifdef MCINR_HAVE_NIFTI
      {"evaluate", d::run_evaluate},
      {"degrade", d::run_degrade},
      {"simulate", d::run_simulate},
      {"register", d::run_register},
      {"baseline", d::run_baseline},
      {"prepare", d::run_prepare},
      {"fit", d::run_fit},
      {"infer", d::run_infer},
      {"mi", d::run_mi},
      {"cohort", d::run_cohort},
#endif
  };
  const auto found = commands.find(command);
  if (found == commands.end()) {
    std::cerr << "mcinr: error: unknown command '" << command << "' (mcinr --help lists the commands)\n";
    return mcinr::pipeline::exit_usage;
  }
  // Kokkos sees only its own --kokkos-* options: a command's --help is not Kokkos' help.
  std::vector<std::string> args;
  std::vector<char*> kokkos_argv = {argv[0]};
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]).rfind("--kokkos-", 0) == 0)
      kokkos_argv.push_back(argv[i]);
    else
      args.push_back(argv[i]);
  }
  auto run = found->second;
  if (command == "demo") {
    const auto engine = std::find(args.begin(), args.end(), "--engine");
    if (engine != args.end()) {
      args.erase(engine);
      run = d::run_engine_demo;
    }
  }
  int kokkos_argc = int(kokkos_argv.size());
  kokkos_argv.push_back(nullptr);
  Kokkos::ScopeGuard kokkos(kokkos_argc, kokkos_argv.data());
  if (const std::string warning = mcinr::backends::prepare_host_blas(); !warning.empty()) std::cerr << warning << '\n';
  try {
    return run(args);
  } catch (const std::exception& e) {
    const int status = mcinr::pipeline::exit_status_of(e);
    std::cerr << "mcinr: " << (status == mcinr::pipeline::exit_internal ? "internal error: " : "error: ") << e.what()
              << '\n';
    return status;
  }
}
