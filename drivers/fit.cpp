// `mcinr fit`: one subject, two low-resolution scans, one field
// (pipeline::SubjectFit does the work).
#include <cstdio>

#include "mcinr/drivers/console.hpp"
#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/stop_signal.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

int run_fit(const std::vector<std::string>& args) {
  pipeline::FitConfig config;
  po::options_description options("mcinr fit: fit one neural field to a subject's two low-resolution scans");
  // clang-format off
  options.add_options()("help,h", "show this help");
  // clang-format on
  add_fit_options(options, config);
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  apply_fit_options(vm, config);
  pipeline::SubjectFit fit(config);  // every input read and checked: nothing written yet
  if (const std::string preset = pipeline::preset_values(config); !preset.empty()) std::printf("%s\n", preset.c_str());
  pipeline::catch_stop_signals();
  ConsoleFitObserver console;
  const pipeline::FitOutcome outcome = fit.run(console, pipeline::stop_requested);
  print_outcome(fit.config(), outcome);
  return outcome.interrupted() ? pipeline::exit_interrupted : pipeline::exit_ok;
}

}  // namespace mcinr::drivers
