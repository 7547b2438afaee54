#pragma once
// The reference's training loss: for each contrast c with n_c > 0 samples in
// the batch, the mean squared error of head c on those samples, summed over
// contrasts (weights 1):
//   L = sum_c (1/n_c) sum_{j in c} (y_c(j) - t(j))^2
// It also writes dL/dY (n x contrasts), zero wherever a sample is not of that
// contrast, so it serves both head skipping and the full computation.
#include "mcinr/backends/types.hpp"
#include "mcinr/core/mlp.hpp"

namespace mcinr {

template <class Scalar>
double masked_mse(ConstMatrixRef<Scalar> prediction, ConstVectorRef<Scalar> target, const BatchSplit& split,
                  MatrixRef<Scalar> d_prediction);

extern template double masked_mse<float>(ConstMatrixRef<float>, ConstVectorRef<float>, const BatchSplit&,
                                         MatrixRef<float>);
extern template double masked_mse<double>(ConstMatrixRef<double>, ConstVectorRef<double>, const BatchSplit&,
                                          MatrixRef<double>);

}  // namespace mcinr
