#include "mcinr/core/field.hpp"

#include <algorithm>
#include <stdexcept>

namespace mcinr {

namespace {
MlpConfig with_input(MlpConfig config, int input_dim) {
  config.input_dim = input_dim;
  return config;
}
}  // namespace

template <class Scalar>
Field<Scalar>::Field(std::unique_ptr<Encoding<Scalar>> encoding, MlpConfig mlp, std::size_t capacity)
    : encoding_(std::move(encoding)) {
  if (!encoding_) throw std::logic_error("Field: no encoding");
  mlp_ = Mlp<Scalar>(with_input(mlp, encoding_->output_dim()), capacity);
}

namespace detail {

// Copies the MLP's output (n x contrasts) into rows [begin, begin + n) of
// out. (A free function: CUDA forbids device lambdas in some member functions.)
template <class Scalar> void copy_rows(ConstMatrixRef<Scalar> y, MatrixRef<Scalar> out, std::size_t begin) {
  const std::size_t n = y.extent(0);
  Kokkos::parallel_for(
      "mcinr::predict_copy", Kokkos::RangePolicy<ExecSpace>(0, n * y.extent(1)), KOKKOS_LAMBDA(const std::size_t k) {
        const std::size_t j = k % n, c = k / n;
        out(begin + j, c) = y(j, c);
      });
}

}  // namespace detail

template <class Scalar>
bool Field<Scalar>::predict(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out, const StopRequested& stop,
                            const PredictProgress& progress) {
  const std::size_t total = coords.extent(1);
  const int contrasts = mlp_.contrasts();
  if (coords.extent(0) != 3 || out.extent(0) != total || out.extent(1) != std::size_t(contrasts))
    throw std::logic_error("predict: coords must be 3 x N and out N x contrasts");
  const std::size_t chunk = predict_chunk();
  Matrix<Scalar> encoded("predict_encoding", encoding_->output_dim(), chunk);
  for (std::size_t begin = 0; begin < total; begin += chunk) {
    if (stop && begin > 0 && stop()) {
      Kokkos::fence();
      return false;
    }
    const std::size_t n = std::min(chunk, total - begin);
    const MatrixRef<Scalar> enc(encoded.data(), encoding_->output_dim(), n);
    encoding_->encode_fast(columns(coords, begin, begin + n), enc);
    mlp_.forward(enc, BatchSplit::whole(n, contrasts), false);
    detail::copy_rows<Scalar>(mlp_.output(), out, begin);
    if (progress) {
      Kokkos::fence();
      progress(begin + n, total);
    }
  }
  Kokkos::fence();
  return true;
}

template class Field<float>;
template class Field<double>;

}  // namespace mcinr
