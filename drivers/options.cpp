#include "mcinr/drivers/options.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace po = boost::program_options;

namespace mcinr::drivers {

bool parse_command(const po::options_description& options, const std::vector<std::string>& args, po::variables_map& vm,
                   const po::positional_options_description* positional) {
  // A flag (--resume, --clamp) takes no separate word: `--resume false`
  // is refused, `--resume=false` is the way to say it. (Boost would
  // otherwise take the next word as the flag's value.)
  // (Commands with positional words, like `cohort submit --dry-run RUN`,
  // keep Boost's reading.)
  for (std::size_t i = 0; !positional && i + 1 < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0 || a.find('=') != std::string::npos) continue;
    const po::option_description* d = options.find_nothrow(a.substr(2), false);
    if (d && d->semantic()->min_tokens() == 0 && !args[i + 1].empty() && args[i + 1][0] != '-')
      throw InputError("unexpected word on the command line after " + a + " (options take the form --name value; " +
                       "flags --name or --name=false)");
  }
  try {
    po::command_line_parser parser(args);
    parser.options(options);
    po::positional_options_description none;
    parser.positional(positional ? *positional : none);
    po::store(parser.run(), vm);
    if (vm.count("help")) {
      std::cout << options << '\n';
      return false;
    }
    po::notify(vm);
  } catch (const po::too_many_positional_options_error&) {
    throw InputError("unexpected word on the command line (options take the form --name value)");
  } catch (const po::error& e) {
    throw InputError(e.what());
  }
  return true;
}

std::string number_as_written(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value == 0) return text;
  char out[64];
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e-3 && magnitude < 1e6) {
    // The fewest decimals that give the value back: "50", "0.5", "0.001".
    for (int decimals = 0; decimals <= 17; ++decimals) {
      std::snprintf(out, sizeof out, "%.*f", decimals, value);
      if (std::strtod(out, nullptr) == value) return out;
    }
    return text;
  }
  // Small or large: the fewest mantissa digits and a plain exponent (4e-4).
  for (int digits = 0; digits <= 16; ++digits) {
    std::snprintf(out, sizeof out, "%.*e", digits, value);
    if (std::strtod(out, nullptr) == value) break;
  }
  const std::string written(out);
  const auto e = written.find('e');
  return written.substr(0, e) + "e" + std::to_string(std::atoi(written.c_str() + e + 1));
}

void add_fit_options(po::options_description& options, const pipeline::FitConfig& defaults, bool training_only) {
  if (!training_only)
    // clang-format off
    options.add_options()("config", po::value<std::string>(),
                          "INI file with any of these options (keys named like the long options; a [slurm] section "
                          "is left to mcinr cohort); the command line wins");
  // clang-format on
  for (const pipeline::FitOption& option : pipeline::fit_options()) {
    if (training_only && !option.training) continue;
    const std::string value = option.get(defaults);
    if (option.kind == pipeline::FitOption::Kind::flag) {
      // clang-format off
      // --flag turns it on; --flag=false turns off what a preset or a
      // config file turned on.
      const std::string help = option.help + " (--" + option.name + "=false: off)";
      options.add_options()(option.name.c_str(), po::value<std::string>()->implicit_value("true"), help.c_str());
      // clang-format on
    } else {
      const std::string help = option.help + (value.empty() ? "" : " [" + number_as_written(value) + "]");
      // clang-format off
      options.add_options()(option.name.c_str(), po::value<std::string>(), help.c_str());
      // clang-format on
    }
  }
}

void apply_fit_options(const po::variables_map& vm, pipeline::FitConfig& config, bool training_only) {
  std::vector<std::pair<std::string, std::string>> given;
  for (const pipeline::FitOption& option : pipeline::fit_options())
    if ((option.training || !training_only) && vm.count(option.name) && !vm[option.name].defaulted())
      given.emplace_back(option.name, vm[option.name].as<std::string>());
  pipeline::apply_fit_options(config, given, vm.count("config") ? vm["config"].as<std::string>() : "");
}

}  // namespace mcinr::drivers
