#pragma once
// Shared command-line plumbing for the mcinr subcommands.
#include <boost/program_options.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/trainer.hpp"

namespace mcinr::drivers {

// A bad argument: printed as one "mcinr: error: ..." line, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require(bool condition, const std::string& message) {
  if (!condition) throw UsageError(message);
}

// The field and training options every fitting command shares; defaults
// are whatever the structs hold when called.
void add_training_options(boost::program_options::options_description& options, FieldConfig& field,
                          TrainConfig& train, std::string& model);

// Parses args into vm. Returns false (after printing help) for --help.
bool parse_command(const boost::program_options::options_description& options, const std::vector<std::string>& args,
                   boost::program_options::variables_map& vm,
                   const boost::program_options::positional_options_description* positional = nullptr);

}  // namespace mcinr::drivers
