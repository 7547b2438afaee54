#pragma once
// The one GEMM interface of mcinr: C = alpha * op(A) * op(B) + beta * C on
// column-major device matrices, op in {'N', 'T'}, and the two hooks of a
// dense layer built on it. Every matrix product of the engine goes through a
// GemmProvider.
//
// Which library does the work is chosen at configure time
// (-DMCINR_GEMM_PROVIDER=...): each provider is one file, gemm_<name>.cpp,
// that defines GemmProvider's members, and CMake compiles exactly one of them:
//   KokkosKernels  KokkosBlas::gemm: the host BLAS TPL (OpenBLAS) on host
//                  spaces, cuBLAS/rocBLAS where Kokkos Kernels was built with
//                  them, native kernels otherwise (gemm_kokkos_kernels.cpp)
//   CBLAS          the host BLAS's cblas_?gemm called directly; host memory
//                  spaces only (gemm_cblas.cpp)
// A provider's state (the library's handles, workspaces) lives in one object
// bound to an execution space instance; copies share it. A provider's file
// defines GemmProvider::Library (its handles), make_library, gemm and name;
// gemm_common.cpp holds the rest, the default dense hooks among them.
#include <memory>

#include "mcinr/backends/types.hpp"

namespace mcinr::backends {

enum class Activation { none, relu };

class GemmProvider {
 public:
  explicit GemmProvider(const ExecSpace& space = ExecSpace());

  const ExecSpace& space() const;
  // The provider's name, for logs and the bench.
  static const char* name();

  void gemm(char trans_a, char trans_b, float alpha, ConstMatrixRef<float> a, ConstMatrixRef<float> b, float beta,
            MatrixRef<float> c) const;
  void gemm(char trans_a, char trans_b, double alpha, ConstMatrixRef<double> a, ConstMatrixRef<double> b, double beta,
            MatrixRef<double> c) const;

  // A dense layer's forward pass: z = act(w x + b) (w: out x in, x: in x n,
  // z: out x n). The default is a GEMM and one fused bias+activation kernel;
  // a provider with a fused epilogue (cuBLASLt, hipBLASLt) can do both at once.
  void dense_forward(ConstMatrixRef<float> w, ConstVectorRef<float> b, ConstMatrixRef<float> x, MatrixRef<float> z,
                     Activation activation) const;
  void dense_forward(ConstMatrixRef<double> w, ConstVectorRef<double> b, ConstMatrixRef<double> x, MatrixRef<double> z,
                     Activation activation) const;

  // Its backward pass from dz, the gradient at the pre-activation:
  //   dw = dz x^T, db = dz 1 (overwritten), and dx = w^T dz + dx_beta dx where
  // dx has extents (an empty dx skips the input gradient).
  void dense_backward(ConstMatrixRef<float> w, ConstMatrixRef<float> x, ConstMatrixRef<float> dz, MatrixRef<float> dw,
                      VectorRef<float> db, MatrixRef<float> dx, float dx_beta) const;
  void dense_backward(ConstMatrixRef<double> w, ConstMatrixRef<double> x, ConstMatrixRef<double> dz,
                      MatrixRef<double> dw, VectorRef<double> db, MatrixRef<double> dx, double dx_beta) const;

  struct Library;    // the provider library's own state, defined by its file
  struct Workspace;  // buffers of the default dense hooks

 private:
  static std::shared_ptr<Library> make_library(const ExecSpace& space);

  ExecSpace space_;
  std::shared_ptr<Library> library_;
  std::shared_ptr<Workspace> workspace_;
};

// Checks the shapes of C = op(A) op(B) + C; throws std::logic_error (an
// internal error: the engine passed matrices that do not fit) naming them.
// Returns false where there is nothing to compute (m or n is 0).
bool check_gemm_shapes(bool trans_a, bool trans_b, std::size_t a_rows, std::size_t a_cols, std::size_t b_rows,
                       std::size_t b_cols, std::size_t c_rows, std::size_t c_cols);

}  // namespace mcinr::backends
