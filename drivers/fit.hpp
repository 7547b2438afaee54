#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr fit`: one subject, two low-resolution scans, one field.
int run_fit(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
