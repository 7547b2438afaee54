#pragma once
// Command-line plumbing of the mcinr subcommands (Boost.Program_options): the
// one parse, the fit options built from pipeline::fit_options(), and every
// subcommand's entry point.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/fit_config.hpp"

namespace mcinr::drivers {

using pipeline::InputError;
using pipeline::require;

// Parses args into vm; a bad option or a stray word is an InputError.
// Returns false (after printing help) for --help.
bool parse_command(const boost::program_options::options_description& options, const std::vector<std::string>& args,
                   boost::program_options::variables_map& vm,
                   const boost::program_options::positional_options_description* positional = nullptr);

// A number as one writes it in help: the fewest digits that give it back,
// with a plain exponent below 1e-3 or from 1e6 ("4e-4", "0.5", "1000");
// text that is not a number comes back unchanged.
std::string number_as_written(const std::string& text);

// The fit's options (all, or only the field and training ones), their
// defaults taken from `defaults`.
void add_fit_options(boost::program_options::options_description& options, const pipeline::FitConfig& defaults,
                     bool training_only = false);
// Applies --config (where given) and then the options given on the command
// line (they win) to config.
void apply_fit_options(const boost::program_options::variables_map& vm, pipeline::FitConfig& config,
                       bool training_only = false);

// The subcommands: each takes the words after `mcinr <command>` and returns
// the exit status; bad input throws (pipeline/errors.hpp says the status).
int run_fit(const std::vector<std::string>& args);
int run_infer(const std::vector<std::string>& args);
int run_evaluate(const std::vector<std::string>& args);
int run_mi(const std::vector<std::string>& args);
int run_baseline(const std::vector<std::string>& args);
int run_degrade(const std::vector<std::string>& args);
int run_simulate(const std::vector<std::string>& args);
int run_register(const std::vector<std::string>& args);
int run_prepare(const std::vector<std::string>& args);
int run_cohort(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);         // the image demo
int run_engine_demo(const std::vector<std::string>& args);  // mcinr demo --engine

}  // namespace mcinr::drivers
