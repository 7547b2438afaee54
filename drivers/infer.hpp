#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr infer --checkpoint C (--reference IMG | --spacing MM) --out DIR`:
// evaluates a saved field on any grid.
int run_infer(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
