// GEMM provider selection. Only this file includes a BLAS library's headers.
#include "backends/gemm.hpp"

#include <KokkosBlas3_gemm.hpp>
#include <stdexcept>
#include <string>

namespace mcinr::backends {
namespace {

template <class Scalar>
void gemm_kokkos_kernels(char trans_a, char trans_b, Scalar alpha, ConstMatrixRef<Scalar> a,
                         ConstMatrixRef<Scalar> b, Scalar beta, MatrixRef<Scalar> c) {
  const bool ta = trans_a == 'T' || trans_a == 't';
  const bool tb = trans_b == 'T' || trans_b == 't';
  const std::size_t m = ta ? a.extent(1) : a.extent(0);
  const std::size_t k = ta ? a.extent(0) : a.extent(1);
  const std::size_t kb = tb ? b.extent(1) : b.extent(0);
  const std::size_t n = tb ? b.extent(0) : b.extent(1);
  if (m != c.extent(0) || n != c.extent(1) || k != kb) {
    throw std::invalid_argument("mcinr::backends::gemm: shape mismatch (" + std::to_string(m) + "x" +
                                std::to_string(k) + " times " + std::to_string(kb) + "x" + std::to_string(n) +
                                " into " + std::to_string(c.extent(0)) + "x" + std::to_string(c.extent(1)) + ")");
  }
  if (m == 0 || n == 0) return;
  const char ta_s[2] = {ta ? 'T' : 'N', 0};
  const char tb_s[2] = {tb ? 'T' : 'N', 0};
  KokkosBlas::gemm(ta_s, tb_s, alpha, a, b, beta, c);
}

}  // namespace

void gemm(char trans_a, char trans_b, float alpha, ConstMatrixRef<float> a, ConstMatrixRef<float> b, float beta,
          MatrixRef<float> c) {
  gemm_kokkos_kernels(trans_a, trans_b, alpha, a, b, beta, c);
}

void gemm(char trans_a, char trans_b, double alpha, ConstMatrixRef<double> a, ConstMatrixRef<double> b, double beta,
          MatrixRef<double> c) {
  gemm_kokkos_kernels(trans_a, trans_b, alpha, a, b, beta, c);
}

const char* gemm_provider_name() { return "KokkosKernels"; }

}  // namespace mcinr::backends
