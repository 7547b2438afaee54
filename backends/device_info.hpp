#pragma once
// What the running backend is: for logs, summary files and the bench.
#include <cstdint>
#include <string>

namespace mcinr::backends {

struct DeviceInfo {
  std::string kokkos_version;   // e.g. "3.4.1"
  std::string execution_space;  // e.g. "Serial", "OpenMP", "Cuda"
  int concurrency = 1;          // threads (host) or resident threads (GPU)
  std::string gemm_provider;    // see gemm.hpp
  std::string blas_config;      // OpenBLAS's own description, where linked
  int blas_threads = 0;         // 0 where unknown
};

DeviceInfo device_info();

// The host memory this process may use, in bytes: the smallest of the
// physical memory, the address-space limit (ulimit -v) and the cgroup's
// memory.max (a Slurm job's --mem); 0 where none is known. Sizes derived
// from headers and options are checked against it before allocating.
std::uint64_t host_memory_bytes();

// One line: "Kokkos 3.4.1 Serial x1, GEMM KokkosKernels (OpenBLAS ...)".
std::string describe(const DeviceInfo& info);

// Call once after Kokkos is initialised. Where Kokkos runs OpenMP threads and
// OpenBLAS runs its own pthreads, the two pools spin against each other
// (measured: a 2-thread test 30x slower); unless OMP_WAIT_POLICY=passive is
// set, OpenBLAS is then limited to one thread. Returns a warning to print,
// or an empty string. OpenBLAS built for OpenMP (libopenblas0-openmp) shares
// Kokkos' pool and needs nothing.
std::string prepare_host_blas();

// Flush subnormal floats to zero on the calling thread (x86-64: MXCSR's
// FTZ and DAZ; AArch64: FPCR.FZ; elsewhere nothing). Call it first in
// main, before Kokkos starts host threads, which inherit it. Adam's first
// moment decays by 0.9 a step wherever a gradient stays 0 (the weights of
// a ReLU unit that never fires): within about 750 steps it is subnormal,
// and unflushed it stays so (0.9 times the smallest subnormal rounds back
// to it), each operation on it costing a microcode assist. Values that
// small change no update (the step is m / (sqrt(v) + 1e-8)).
void flush_subnormals();

}  // namespace mcinr::backends
