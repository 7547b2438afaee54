// Fuzzes a cohort run folder's manifest.csv (and, from the first byte on,
// its plan.ini): open_run reads both and checks every field.
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>

#include "fuzz_target.hpp"
#include "mcinr/cohort/run_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path dir = mcinr::fuzz::scratch() / "run";
  std::filesystem::create_directories(dir / "state");
  // The first byte splits the input: that many bytes of plan.ini (0: the
  // seed corpus' plan), the rest manifest.csv.
  std::size_t plan_bytes = size > 0 ? std::min<std::size_t>(data[0], size - 1) : 0;
  const std::uint8_t* rest = size > 0 ? data + 1 : data;
  const std::size_t rest_size = size > 0 ? size - 1 : 0;
  {
    std::ofstream plan(dir / "plan.ini", std::ios::binary);
    if (plan_bytes == 0)
      plan << "root = /data\ncontrasts = t1,t2\nout = " << dir.string() << "\n";
    else
      plan.write(reinterpret_cast<const char*>(rest), std::streamsize(plan_bytes));
  }
  {
    std::ofstream manifest(dir / "manifest.csv", std::ios::binary);
    manifest.write(reinterpret_cast<const char*>(rest + plan_bytes), std::streamsize(rest_size - plan_bytes));
  }
  try {
    const mcinr::cohort::Run run = mcinr::cohort::open_run(dir.string());
    for (const auto& subject : run.subjects) (void)run.state_file(subject);
  } catch (const std::exception&) {
  }
  return 0;
}
