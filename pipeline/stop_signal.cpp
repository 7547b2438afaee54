#include "mcinr/pipeline/stop_signal.hpp"

#include <cstdlib>

namespace mcinr::pipeline {
namespace {
volatile std::sig_atomic_t received = 0;
extern "C" void on_stop_signal(int signal) {
  // A second Ctrl-C ends the process at once, as without the handler.
  if (signal == SIGINT && received == SIGINT) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  received = signal;
}
}  // namespace

void catch_stop_signals() {
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGUSR1, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
}

int stop_signal() { return received; }

bool stop_requested() { return received != 0; }

void signal_if_asked_at_evaluation() {
  static const char* at = std::getenv("MCINR_TEST_SIGNAL_AT_EVALUATION");
  static int seen = 0;
  if (at && *at && ++seen == std::atoi(at)) std::raise(SIGUSR1);
}

}  // namespace mcinr::pipeline
