// GEMM provider "KokkosKernels": KokkosBlas::gemm, which runs the host BLAS
// TPL (OpenBLAS on Debian) on host spaces, cuBLAS/rocBLAS where Kokkos
// Kernels was built with them, and its native kernels otherwise. The only
// file that includes Kokkos Kernels.
#include <KokkosBlas3_gemm.hpp>

#include "mcinr/backends/gemm.hpp"

namespace mcinr::backends {

// Kokkos Kernels 3.4 has no execution-space overload of gemm (the portable
// API), so this provider keeps no handles of its own.
struct GemmProvider::Library {};

std::shared_ptr<GemmProvider::Library> GemmProvider::make_library(const ExecSpace&) {
  return std::make_shared<Library>();
}

const char* GemmProvider::name() { return "KokkosKernels"; }

namespace {

template <class Scalar>
void kokkos_kernels_gemm(char trans_a, char trans_b, Scalar alpha, ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> b,
                         Scalar beta, MatrixRef<Scalar> c) {
  const bool ta = trans_a == 'T' || trans_a == 't';
  const bool tb = trans_b == 'T' || trans_b == 't';
  if (!check_gemm_shapes(ta, tb, a.extent(0), a.extent(1), b.extent(0), b.extent(1), c.extent(0), c.extent(1))) return;
  const char ta_s[2] = {ta ? 'T' : 'N', 0};
  const char tb_s[2] = {tb ? 'T' : 'N', 0};
  KokkosBlas::gemm(ta_s, tb_s, alpha, a, b, beta, c);
}

}  // namespace

void GemmProvider::gemm(char trans_a, char trans_b, float alpha, ConstMatrixRef<float> a, ConstMatrixRef<float> b,
                        float beta, MatrixRef<float> c) const {
  kokkos_kernels_gemm(trans_a, trans_b, alpha, a, b, beta, c);
}

void GemmProvider::gemm(char trans_a, char trans_b, double alpha, ConstMatrixRef<double> a, ConstMatrixRef<double> b,
                        double beta, MatrixRef<double> c) const {
  kokkos_kernels_gemm(trans_a, trans_b, alpha, a, b, beta, c);
}

}  // namespace mcinr::backends
