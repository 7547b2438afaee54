#pragma once
// What a failure means to the caller, and the exit status each meaning gets:
//   2   bad input or usage: InputError (a file that is not what it should
//       be, an option out of range), and std::invalid_argument from the
//       engine's config checks;
//   1   a runtime failure: any other std::exception (a full disk, an sbatch
//       refusal, a diverged fit);
//   70  an internal error: std::logic_error (a shape mismatch inside the
//       engine: a bug, never the user's input);
//   75  interrupted by a stop signal after checkpointing (EX_TEMPFAIL).
#include <stdexcept>
#include <string>

namespace mcinr::pipeline {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require(bool condition, const std::string& message) {
  if (!condition) throw InputError(message);
}

constexpr int exit_ok = 0;
constexpr int exit_runtime = 1;
constexpr int exit_usage = 2;
constexpr int exit_internal = 70;
constexpr int exit_interrupted = 75;

// The exit status for an exception that ended a command.
inline int exit_status_of(const std::exception& e) {
  if (dynamic_cast<const InputError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e)) return exit_usage;
  if (dynamic_cast<const std::logic_error*>(&e)) return exit_internal;
  return exit_runtime;
}

}  // namespace mcinr::pipeline
