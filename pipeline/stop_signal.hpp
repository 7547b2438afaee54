#pragma once
// SIGTERM, SIGUSR1 and SIGINT as a request to stop cleanly: Slurm sends
// SIGTERM on preemption, requeue and scancel, and SIGUSR1 ahead of the time
// limit (--signal=B:USR1@120); Ctrl-C sends SIGINT (a second Ctrl-C ends
// the process at once). The commands install the handlers and give a fit
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

// Test hook: with MCINR_TEST_SIGNAL_AT_EVALUATION=N in the environment,
// raises SIGUSR1 as the Nth evaluation of the process starts, so a test can
// put a stop request inside an evaluation without racing a clock
// (tests/resume_after_kill.sh). Does nothing otherwise.
void signal_if_asked_at_evaluation();

}  // namespace mcinr::pipeline
