#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr demo`: fits the analytic phantom from two anisotropic grids.
int run_demo(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
