#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr demo --engine`: fits the analytic phantom from two anisotropic grids
// in memory (no file I/O: also in builds without ITK).
int run_demo(const std::vector<std::string>& args);
// `mcinr demo`: degrade, fit, baseline and evaluate on generated NIfTI files.
int run_demo_images(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
