#pragma once
// Child processes, as the cohort runs Slurm's client commands: no shell in
// between (arguments are passed as they are), output collected.
#include <string>
#include <vector>

namespace mcinr::cohort {

struct CommandResult {
  int status = -1;  // exit status; 127: not found; 128 + N: killed by signal N
  std::string out, err;
};

// Runs argv[0] from PATH with argv; collects stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv);

// POSIX shell single-quoting of one word.
std::string shell_quoted(const std::string& word);
// The word as it reads in a command line a user copies: unchanged where it
// holds only letters, digits and _@%+=:,./- (nothing a shell expands), else
// shell_quoted.
std::string shell_word(const std::string& word);

}  // namespace mcinr::cohort
