#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr prepare`: a subject folder in the reference's naming from two
// high-resolution volumes, ready for `mcinr fit --subject`.
int run_prepare(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
