// Fuzzes a cohort task's state file (state/<subject>.txt, key = value):
// read_task_record never throws; a broken file is state "unreadable".
#include <cstdint>
#include <exception>

#include "fuzz_target.hpp"
#include "mcinr/cohort/task_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mcinr::fuzz::as_file(data, size, "state.txt");
  const mcinr::cohort::TaskRecord record = mcinr::cohort::read_task_record(path);
  (void)record.to_record();
  return 0;
}
