#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr degrade`: simulates a thick-slice scan from a high-resolution one.
int run_degrade(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
