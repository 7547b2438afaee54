// GEMM provider "CBLAS": the host BLAS's cblas_sgemm / cblas_dgemm called
// directly (OpenBLAS on Debian), without Kokkos Kernels in between. Host
// memory spaces only: CMake refuses it for CUDA and HIP builds. The only
// file that includes cblas.h.
#include <cblas.h>

#include "mcinr/backends/gemm.hpp"

namespace mcinr::backends {

static_assert(Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemSpace>::accessible,
              "the CBLAS GEMM provider needs host-accessible memory: use KokkosKernels on GPUs");

struct GemmProvider::Library {
  ExecSpace space;
};

std::shared_ptr<GemmProvider::Library> GemmProvider::make_library(const ExecSpace& space) {
  return std::make_shared<Library>(Library{space});
}

const char* GemmProvider::name() { return "CBLAS"; }

namespace {

// Leading dimension of a LayoutLeft matrix (BLAS wants at least 1).
template <class View> int leading(const View& m) {
  const std::size_t ld = m.extent(1) > 1 ? m.stride(1) : m.extent(0);
  return int(ld > 0 ? ld : 1);
}

template <class Scalar, class Call>
void cblas_gemm(const ExecSpace& space, char trans_a, char trans_b, Scalar alpha, ConstMatrixRef<Scalar> a,
                ConstMatrixRef<Scalar> b, Scalar beta, MatrixRef<Scalar> c, Call call) {
  const bool ta = trans_a == 'T' || trans_a == 't';
  const bool tb = trans_b == 'T' || trans_b == 't';
  if (!check_gemm_shapes(ta, tb, a.extent(0), a.extent(1), b.extent(0), b.extent(1), c.extent(0), c.extent(1))) return;
  space.fence();  // kernels that wrote a or b must have finished
  const int m = int(c.extent(0)), n = int(c.extent(1)), k = int(ta ? a.extent(0) : a.extent(1));
  call(CblasColMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a.data(),
       leading(a), b.data(), leading(b), beta, c.data(), leading(c));
}

}  // namespace

void GemmProvider::gemm(char trans_a, char trans_b, float alpha, ConstMatrixRef<float> a, ConstMatrixRef<float> b,
                        float beta, MatrixRef<float> c) const {
  cblas_gemm<float>(library_->space, trans_a, trans_b, alpha, a, b, beta, c, cblas_sgemm);
}

void GemmProvider::gemm(char trans_a, char trans_b, double alpha, ConstMatrixRef<double> a, ConstMatrixRef<double> b,
                        double beta, MatrixRef<double> c) const {
  cblas_gemm<double>(library_->space, trans_a, trans_b, alpha, a, b, beta, c, cblas_dgemm);
}

}  // namespace mcinr::backends
