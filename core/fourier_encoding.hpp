#pragma once
// Gaussian Fourier features (Tancik et al. 2020), as in the reference:
//   gamma(x) = [sin(2 pi B x), cos(2 pi B x)],  B in R^{F x 3}, B_ij ~ N(0, sigma^2).
// Coordinates are a 3 x N matrix (column j = sample j); the encoding is
// 2F x N: rows [0, F) hold the sines, rows [F, 2F) the cosines. Nothing in
// it is trained; its state is B (array "matrix", F x 3) and sigma.
#include <cstdint>

#include "mcinr/core/encoding.hpp"

namespace mcinr {

template <class Scalar> class FourierEncoding final : public Encoding<Scalar> {
 public:
  using Encoding<Scalar>::dims;

  FourierEncoding() = default;
  // Draws B from N(0, sigma) with the counter-based generator (host side, so
  // B is identical on every backend).
  FourierEncoding(int features, double sigma, std::uint64_t seed);
  // Takes a given F x 3 matrix B (host values, row-major in `values`).
  static FourierEncoding from_matrix(int features, const double* values, double sigma = 0);
  // From a saved state (kind "fourier").
  static FourierEncoding from_state(const EncodingState& state);

  std::string kind() const override { return "fourier"; }
  int features() const { return features_; }
  int output_dim() const override { return 2 * features_; }
  // B itself (F x 3), not 2 pi B.
  Matrix<Scalar> matrix() const { return b_; }

  void encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const override;
  // Sines and cosines within 1e-7 (math::sincos_reduced) where every phase is
  // in its range, several times faster on a CPU.
  void encode_fast(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const override;

  // No parameters; d_coords(:, j) = J_j^T d_out(:, j), with the Jacobian J_j
  // of gamma at coords(:, j), where d_coords has extents.
  void backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) override;

  EncodingState state() const override;
  double flops_per_sample() const override { return 5.0 * features_; }

 private:
  int features_ = 0;
  double sigma_ = 0;
  Matrix<Scalar> b_;  // F x 3
  double reach_ = 0;  // max over f of 2 pi |B_f|_1: the largest |phase| for |x|_inf <= 1

  void check_shapes(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const;
};

extern template class FourierEncoding<float>;
extern template class FourierEncoding<double>;

}  // namespace mcinr
