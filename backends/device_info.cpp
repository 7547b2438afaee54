#include "mcinr/backends/device_info.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <Kokkos_Core.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "mcinr/backends/gemm.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

#ifdef MCINR_HAVE_OPENBLAS
extern "C" {
char* openblas_get_config(void);
int openblas_get_num_threads(void);
int openblas_get_parallel(void);
void openblas_set_num_threads(int);
}
#endif

namespace mcinr::backends {

DeviceInfo device_info() {
  DeviceInfo info;
  std::ostringstream version;
  version << KOKKOS_VERSION / 10000 << '.' << (KOKKOS_VERSION / 100) % 100 << '.' << KOKKOS_VERSION % 100;
  info.kokkos_version = version.str();
  info.execution_space = Kokkos::DefaultExecutionSpace::name();
  info.concurrency = Kokkos::DefaultExecutionSpace().concurrency();
  info.gemm_provider = GemmProvider::name();
#ifdef MCINR_HAVE_OPENBLAS
  info.blas_config = openblas_get_config();
  info.blas_threads = openblas_get_num_threads();
#endif
  return info;
}

std::uint64_t host_memory_bytes() {
  std::uint64_t limit = 0;
  auto take = [&](std::uint64_t bytes) {
    if (bytes > 0 && (limit == 0 || bytes < limit)) limit = bytes;
  };
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) take(std::uint64_t(pages) * std::uint64_t(page));
  struct rlimit address_space {};
  if (::getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY)
    take(std::uint64_t(address_space.rlim_cur));
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");  // cgroup v2; "max" where unlimited
  std::uint64_t bytes = 0;
  if (cgroup >> bytes) take(bytes);
  return limit;
}

std::string describe(const DeviceInfo& info) {
  std::ostringstream out;
  out << "Kokkos " << info.kokkos_version << ' ' << info.execution_space << " x" << info.concurrency << ", GEMM "
      << info.gemm_provider;
  if (!info.blas_config.empty()) out << " (" << info.blas_config << ", " << info.blas_threads << " threads)";
  return out.str();
}

std::string prepare_host_blas() {
#if defined(MCINR_HAVE_OPENBLAS) && defined(KOKKOS_ENABLE_OPENMP)
  const bool openmp_pool = std::string(Kokkos::DefaultHostExecutionSpace::name()) == "OpenMP" &&
                           Kokkos::DefaultHostExecutionSpace().concurrency() > 1;
  constexpr int openblas_pthreads = 1;
  if (openmp_pool && openblas_get_parallel() == openblas_pthreads && openblas_get_num_threads() > 1) {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    if (policy && (std::string(policy) == "passive" || std::string(policy) == "PASSIVE")) return {};
    openblas_set_num_threads(1);
    return "mcinr: warning: Kokkos runs OpenMP threads and OpenBLAS its own pthreads; OpenBLAS limited to 1 "
           "thread. For full speed use OpenBLAS built for OpenMP (libopenblas0-openmp) or set "
           "OMP_WAIT_POLICY=passive (docs/hpc.md).";
  }
#endif
  return {};
}

void flush_subnormals() {
#if defined(__x86_64__) || defined(_M_X64)
  constexpr unsigned flush_to_zero = 1u << 15, denormals_are_zero = 1u << 6;
  _mm_setcsr(_mm_getcsr() | flush_to_zero | denormals_are_zero);
#elif defined(__aarch64__)
  std::uint64_t fpcr = 0;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  fpcr |= std::uint64_t(1) << 24;  // FZ
  __asm__ __volatile__("msr fpcr, %0" : : "r"(fpcr));
#endif
}

}  // namespace mcinr::backends
