#include "mcinr/core/loss.hpp"

#include <stdexcept>

namespace mcinr {

namespace {
constexpr int max_contrasts = 8;
}

template <class Scalar>
double masked_mse(ConstMatrixRef<Scalar> prediction, ConstVectorRef<Scalar> target, const BatchSplit& split,
                  MatrixRef<Scalar> d_prediction) {
  const std::size_t n = target.extent(0);
  const int contrasts = split.contrasts();
  if (split.is_whole()) throw std::logic_error("masked_mse needs each sample's contrast");
  if (contrasts > max_contrasts) throw std::logic_error("masked_mse: too many contrasts");
  if (prediction.extent(0) != n || prediction.extent(1) != std::size_t(contrasts) || split.size() != n ||
      d_prediction.extent(0) != n || d_prediction.extent(1) != std::size_t(contrasts))
    throw std::logic_error("masked_mse: shape mismatch");
  Kokkos::Array<std::size_t, max_contrasts + 1> end;
  Kokkos::Array<Scalar, max_contrasts> weight;  // 1 / n_c
  for (int c = 0; c < contrasts; ++c) {
    end[c] = split.end(c);
    weight[c] = split.count(c) > 0 ? Scalar(1) / Scalar(split.count(c)) : Scalar(0);
  }
  double loss = 0;
  Kokkos::parallel_reduce(
      "mcinr::masked_mse", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t j, double& sum) {
        int own = 0;
        while (j >= end[own]) ++own;
        for (int c = 0; c < contrasts; ++c) {
          if (c == own) {
            const Scalar r = prediction(j, c) - target(j);
            d_prediction(j, c) = 2 * weight[c] * r;
            sum += double(weight[c]) * double(r) * double(r);
          } else {
            d_prediction(j, c) = Scalar(0);
          }
        }
      },
      loss);
  return loss;
}

template double masked_mse<float>(ConstMatrixRef<float>, ConstVectorRef<float>, const BatchSplit&, MatrixRef<float>);
template double masked_mse<double>(ConstMatrixRef<double>, ConstVectorRef<double>, const BatchSplit&,
                                   MatrixRef<double>);

}  // namespace mcinr
