#include "mcinr/pipeline/stop_signal.hpp"

namespace mcinr::pipeline {
namespace {
volatile std::sig_atomic_t received = 0;
extern "C" void on_stop_signal(int signal) { received = signal; }
}  // namespace

void catch_stop_signals() {
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGUSR1, on_stop_signal);
}

int stop_signal() { return received; }

bool stop_requested() { return received != 0; }

}  // namespace mcinr::pipeline
