// Fuzzes the INI config file (--config, the cohort's fit.ini): parsing, the
// fit options it sets, their validation, and the [slurm] section's reader.
#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/cohort/slurm.hpp"
#include "mcinr/pipeline/fit_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mcinr::fuzz::as_file(data, size, "fit.ini");
  try {
    mcinr::pipeline::FitConfig config;
    mcinr::pipeline::apply_fit_options(config, {{"out", "unused"}}, path);
    config.validate();
  } catch (const std::exception&) {
  }
  try {
    (void)mcinr::cohort::slurm::read_batch_settings(path);
  } catch (const std::exception&) {
  }
  return 0;
}
