#include "backends/device_info.hpp"

#include <Kokkos_Core.hpp>
#include <sstream>

#include "backends/gemm.hpp"

#ifdef MCINR_HAVE_OPENBLAS
extern "C" {
char* openblas_get_config(void);
int openblas_get_num_threads(void);
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
  info.gemm_provider = gemm_provider_name();
#ifdef MCINR_HAVE_OPENBLAS
  info.blas_config = openblas_get_config();
  info.blas_threads = openblas_get_num_threads();
#endif
  return info;
}

std::string describe(const DeviceInfo& info) {
  std::ostringstream out;
  out << "Kokkos " << info.kokkos_version << ' ' << info.execution_space << " x" << info.concurrency << ", GEMM "
      << info.gemm_provider;
  if (!info.blas_config.empty()) out << " (" << info.blas_config << ", " << info.blas_threads << " threads)";
  return out.str();
}

}  // namespace mcinr::backends
