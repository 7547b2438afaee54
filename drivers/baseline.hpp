#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr baseline --image LR --reference GRID --order 0|1|3 --out HR`:
// classical interpolation onto a grid, to judge a fit against.
int run_baseline(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
