#pragma once
// SIGTERM and SIGUSR1 as a request to stop cleanly: Slurm sends SIGTERM on
// preemption, requeue and scancel, and SIGUSR1 ahead of the time limit
// (--signal=B:USR1@120). A fit polls stop_signal() between batches,
// checkpoints and returns exit_interrupted.
#include <csignal>

namespace mcinr::drivers {

constexpr int exit_interrupted = 75;  // EX_TEMPFAIL: checkpointed, run again with --resume

// Installs the handlers (idempotent). From then on the signals only set a flag.
void catch_stop_signals();
// The last stop signal received, or 0.
int stop_signal();

}  // namespace mcinr::drivers
