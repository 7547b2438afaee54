#pragma once
// The one GEMM interface of mcinr: C = alpha * op(A) * op(B) + beta * C on
// column-major device matrices, op in {'N', 'T'}. Every matrix product of the
// engine goes through here; which library does the work is decided in
// gemm.cpp (today: Kokkos Kernels, which calls the host BLAS TPL, e.g.
// OpenBLAS, on host spaces and cuBLAS/rocBLAS where it was built with them).
#include "core/types.hpp"

namespace mcinr::backends {

void gemm(char trans_a, char trans_b, float alpha, ConstMatrixRef<float> a, ConstMatrixRef<float> b, float beta,
          MatrixRef<float> c);
void gemm(char trans_a, char trans_b, double alpha, ConstMatrixRef<double> a, ConstMatrixRef<double> b, double beta,
          MatrixRef<double> c);

// The name of the provider, for logs and the bench.
const char* gemm_provider_name();

}  // namespace mcinr::backends
