#pragma once
// Gaussian Fourier features (Tancik et al. 2020), as in the reference:
//   gamma(x) = [sin(2 pi B x), cos(2 pi B x)],  B in R^{F x 3}, B_ij ~ N(0, sigma^2).
// Coordinates are a 3 x N matrix (column j = sample j); the encoding is
// 2F x N: rows [0, F) hold the sines, rows [F, 2F) the cosines.
#include <cstdint>

#include "core/types.hpp"

namespace mcinr {

template <class Scalar>
class FourierEncoding {
 public:
  static constexpr int dims = 3;

  FourierEncoding() = default;
  // Draws B from N(0, sigma) with the counter-based generator (host side, so
  // B is identical on every backend).
  FourierEncoding(int features, double sigma, std::uint64_t seed);
  // Takes a given F x 3 matrix B (host values, row-major in `values`).
  static FourierEncoding from_matrix(int features, const double* values);

  int features() const { return features_; }
  int output_dim() const { return 2 * features_; }
  // B itself (F x 3), not 2 pi B.
  Matrix<Scalar> matrix() const { return b_; }

  // out(:, j) = gamma(coords(:, j)); out is 2F x N.
  void encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const;

  // Gradient with respect to the coordinates: d_coords(:, j) = J_j^T d_out(:, j),
  // with the Jacobian J_j of gamma at coords(:, j).
  void backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) const;

 private:
  int features_ = 0;
  Matrix<Scalar> b_;  // F x 3
};

extern template class FourierEncoding<float>;
extern template class FourierEncoding<double>;

}  // namespace mcinr
