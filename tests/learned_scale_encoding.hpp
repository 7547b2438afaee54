#pragma once
// A trivial trainable encoding for the tests of the Encoding seam: Fourier
// features times a learned per-feature scale,
//   out(f, j) = s_f * gamma_f(x_j),   s initialised to 1,
// so its parameters get gradients, an Adam state of their own and a place in
// the checkpoint. Registered as kind "learned-scale".
#include <memory>

#include "mcinr/core/encoding.hpp"
#include "mcinr/core/fourier_encoding.hpp"

namespace mcinr::testing {

// m(r, j) *= scale(r). (A free function: CUDA forbids device lambdas in
// private member functions.)
template <class Scalar> void scale_rows(MatrixRef<Scalar> m, const Vector<Scalar>& scale) {
  const std::size_t rows = m.extent(0);
  Kokkos::parallel_for(
      "learned_scale_apply", Kokkos::RangePolicy<ExecSpace>(0, rows * m.extent(1)),
      KOKKOS_LAMBDA(const std::size_t k) { m(k % rows, k / rows) *= scale(k % rows); });
}

template <class Scalar> class LearnedScaleEncoding final : public Encoding<Scalar> {
 public:
  explicit LearnedScaleEncoding(FourierEncoding<Scalar> inner)
      : inner_(std::move(inner)),
        scale_("learned_scale", inner_.output_dim()),
        grad_("learned_scale_gradient", inner_.output_dim()) {
    Kokkos::deep_copy(scale_, Scalar(1));
  }

  std::string kind() const override { return "learned-scale"; }
  int output_dim() const override { return inner_.output_dim(); }

  void encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const override {
    inner_.encode(coords, out);
    scale_rows<Scalar>(out, scale_);
  }

  void backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) override {
    const std::size_t n = coords.extent(1);
    Matrix<Scalar> features("features", output_dim(), n);
    inner_.encode(coords, features);
    // d s_f = sum_j d_out(f, j) gamma_f(x_j), one thread per feature (a fixed order: bitwise repeatable).
    const auto grad = grad_;
    const Matrix<Scalar> f = features;
    Kokkos::parallel_for(
        "learned_scale_gradient", Kokkos::RangePolicy<ExecSpace>(0, output_dim()), KOKKOS_LAMBDA(const int r) {
          Scalar sum = 0;
          for (std::size_t j = 0; j < n; ++j) sum += d_out(r, j) * f(r, j);
          grad(r) = sum;
        });
    if (d_coords.extent(0) > 0) {
      Matrix<Scalar> scaled("scaled_d_out", output_dim(), n);
      Kokkos::deep_copy(scaled, d_out);
      scale_rows<Scalar>(scaled, scale_);
      inner_.backward(coords, scaled, d_coords);
    }
  }

  Vector<Scalar> parameters() const override { return scale_; }
  Vector<Scalar> gradients() const override { return grad_; }
  EncodingState state() const override {
    EncodingState s = inner_.state();
    s.kind = kind();
    return s;
  }
  double flops_per_sample() const override { return inner_.flops_per_sample() + output_dim(); }

  static void register_kind() {
    EncodingKind<Scalar> kind;
    kind.make = [](const EncodingConfig& c, std::uint64_t seed) -> std::unique_ptr<Encoding<Scalar>> {
      return std::make_unique<LearnedScaleEncoding>(FourierEncoding<Scalar>(c.fourier_features, c.fourier_scale, seed));
    };
    kind.restore = [](const EncodingState& s) -> std::unique_ptr<Encoding<Scalar>> {
      return std::make_unique<LearnedScaleEncoding>(FourierEncoding<Scalar>::from_state(s));
    };
    register_encoding<Scalar>("learned-scale", kind);
  }

 private:
  FourierEncoding<Scalar> inner_;
  Vector<Scalar> scale_, grad_;
};

inline void register_learned_scale() {
  LearnedScaleEncoding<float>::register_kind();
  LearnedScaleEncoding<double>::register_kind();
}

}  // namespace mcinr::testing
