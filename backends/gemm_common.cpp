// What every GEMM provider shares: construction, the shape check, and the
// default dense-layer hooks (a GEMM, then one fused bias+activation kernel;
// the bias gradient as a GEMV against a vector of ones).
#include <stdexcept>
#include <string>

#include "mcinr/backends/gemm.hpp"

namespace mcinr::backends {

bool check_gemm_shapes(bool trans_a, bool trans_b, std::size_t a_rows, std::size_t a_cols, std::size_t b_rows,
                       std::size_t b_cols, std::size_t c_rows, std::size_t c_cols) {
  const std::size_t m = trans_a ? a_cols : a_rows;
  const std::size_t k = trans_a ? a_rows : a_cols;
  const std::size_t kb = trans_b ? b_cols : b_rows;
  const std::size_t n = trans_b ? b_rows : b_cols;
  if (m != c_rows || n != c_cols || k != kb)
    throw std::logic_error("mcinr::backends::gemm: shape mismatch (" + std::to_string(m) + "x" + std::to_string(k) +
                           " times " + std::to_string(kb) + "x" + std::to_string(n) + " into " +
                           std::to_string(c_rows) + "x" + std::to_string(c_cols) + ")");
  return m > 0 && n > 0;
}

namespace {

// A device vector of ones, grown on demand.
template <class Scalar> class Ones {
 public:
  ConstMatrixRef<Scalar> column(std::size_t n) {  // n x 1
    if (values_.extent(0) < n) {
      values_ = Vector<Scalar>("mcinr::ones", n);
      Kokkos::deep_copy(values_, Scalar(1));
    }
    return ConstMatrixRef<Scalar>(values_.data(), n, 1);
  }

 private:
  Vector<Scalar> values_;
};

// z(:, j) = act(z(:, j) + b): one team per column, its threads along the rows.
template <class Scalar> void bias_activate(MatrixRef<Scalar> z, ConstVectorRef<Scalar> b, Activation activation) {
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  const int rows = static_cast<int>(z.extent(0));
  const bool relu = activation == Activation::relu;
  Kokkos::parallel_for(
      "mcinr::add_bias_activate", Policy(static_cast<int>(z.extent(1)), Kokkos::AUTO),
      KOKKOS_LAMBDA(const typename Policy::member_type& team) {
        const int j = team.league_rank();
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, rows), [&](const int i) {
          const Scalar v = z(i, j) + b(i);
          z(i, j) = relu ? (v < Scalar(0) ? Scalar(0) : v) : v;
        });
      });
}

template <class Scalar>
void dense_forward_default(const GemmProvider& provider, ConstMatrixRef<Scalar> w, ConstVectorRef<Scalar> b,
                           ConstMatrixRef<Scalar> x, MatrixRef<Scalar> z, Activation activation) {
  provider.gemm('N', 'N', Scalar(1), w, x, Scalar(0), z);
  bias_activate<Scalar>(z, b, activation);
}

template <class Scalar>
void dense_backward_default(const GemmProvider& provider, Ones<Scalar>& ones, ConstMatrixRef<Scalar> w,
                            ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> dz, MatrixRef<Scalar> dw,
                            VectorRef<Scalar> db, MatrixRef<Scalar> dx, Scalar dx_beta) {
  provider.gemm('N', 'T', Scalar(1), dz, x, Scalar(0), dw);
  const MatrixRef<Scalar> db_column(db.data(), db.extent(0), 1);
  provider.gemm('N', 'N', Scalar(1), dz, ones.column(dz.extent(1)), Scalar(0), db_column);
  if (dx.extent(0) > 0) provider.gemm('T', 'N', Scalar(1), w, dz, dx_beta, dx);
}

}  // namespace

struct GemmProvider::Workspace {
  Ones<float> ones_float;
  Ones<double> ones_double;
};

GemmProvider::GemmProvider(const ExecSpace& space)
    : space_(space), library_(make_library(space)), workspace_(std::make_shared<Workspace>()) {}

const ExecSpace& GemmProvider::space() const { return space_; }

void GemmProvider::dense_forward(ConstMatrixRef<float> w, ConstVectorRef<float> b, ConstMatrixRef<float> x,
                                 MatrixRef<float> z, Activation activation) const {
  dense_forward_default<float>(*this, w, b, x, z, activation);
}
void GemmProvider::dense_forward(ConstMatrixRef<double> w, ConstVectorRef<double> b, ConstMatrixRef<double> x,
                                 MatrixRef<double> z, Activation activation) const {
  dense_forward_default<double>(*this, w, b, x, z, activation);
}
void GemmProvider::dense_backward(ConstMatrixRef<float> w, ConstMatrixRef<float> x, ConstMatrixRef<float> dz,
                                  MatrixRef<float> dw, VectorRef<float> db, MatrixRef<float> dx, float dx_beta) const {
  dense_backward_default<float>(*this, workspace_->ones_float, w, x, dz, dw, db, dx, dx_beta);
}
void GemmProvider::dense_backward(ConstMatrixRef<double> w, ConstMatrixRef<double> x, ConstMatrixRef<double> dz,
                                  MatrixRef<double> dw, VectorRef<double> db, MatrixRef<double> dx,
                                  double dx_beta) const {
  dense_backward_default<double>(*this, workspace_->ones_double, w, x, dz, dw, db, dx, dx_beta);
}

}  // namespace mcinr::backends
