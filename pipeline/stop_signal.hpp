#pragma once
// SIGTERM and SIGUSR1 as a request to stop cleanly: Slurm sends SIGTERM on
// preemption, requeue and scancel, and SIGUSR1 ahead of the time limit
// (--signal=B:USR1@120). The commands install the handlers and give a fit
// `stop_requested` as its StopRequested: the fit then checkpoints between
// batches and ends with exit_interrupted (pipeline/errors.hpp).
#include <csignal>

namespace mcinr::pipeline {

// Installs the handlers (idempotent). From then on the signals only set a flag.
void catch_stop_signals();
// The last stop signal received, or 0.
int stop_signal();
// stop_signal() != 0, as a StopRequested.
bool stop_requested();

}  // namespace mcinr::pipeline
