#include "mcinr/core/fourier_encoding.hpp"

#include <stdexcept>

#include "mcinr/core/math.hpp"
#include "mcinr/core/random.hpp"

namespace mcinr {

template <class Scalar>
FourierEncoding<Scalar>::FourierEncoding(int features, double sigma, std::uint64_t seed)
    : features_(features), sigma_(sigma) {
  if (features <= 0) throw std::invalid_argument("--fourier-features must be positive");
  if (!(sigma > 0)) throw std::invalid_argument("--fourier-scale must be positive");
  b_ = Matrix<Scalar>("fourier_matrix", features, dims);
  auto host = Kokkos::create_mirror_view(b_);
  for (int f = 0; f < features; ++f)
    for (int d = 0; d < dims; ++d)
      host(f, d) = static_cast<Scalar>(
          sigma * random::normal_host(seed, static_cast<std::uint64_t>(random::Stream::fourier_matrix), f * dims + d));
  Kokkos::deep_copy(b_, host);
}

template <class Scalar>
FourierEncoding<Scalar> FourierEncoding<Scalar>::from_matrix(int features, const double* values, double sigma) {
  if (features <= 0) throw std::invalid_argument("Fourier encoding: no features");
  FourierEncoding enc;
  enc.features_ = features;
  enc.sigma_ = sigma;
  enc.b_ = Matrix<Scalar>("fourier_matrix", features, dims);
  auto host = Kokkos::create_mirror_view(enc.b_);
  for (int f = 0; f < features; ++f)
    for (int d = 0; d < dims; ++d) host(f, d) = static_cast<Scalar>(values[f * dims + d]);
  Kokkos::deep_copy(enc.b_, host);
  return enc;
}

template <class Scalar> FourierEncoding<Scalar> FourierEncoding<Scalar>::from_state(const EncodingState& state) {
  const EncodingState::Array& b = state.array("matrix");
  if (b.shape.size() != 2 || b.shape[1] != std::size_t(dims) || b.shape[0] == 0 || b.shape[0] > 65536 ||
      b.values.size() != b.shape[0] * dims)
    throw std::invalid_argument("the Fourier matrix is not F x 3");
  return from_matrix(int(b.shape[0]), b.values.data(), state.attribute("scale"));
}

template <class Scalar> EncodingState FourierEncoding<Scalar>::state() const {
  EncodingState s;
  s.kind = kind();
  s.attributes["features"] = features_;
  s.attributes["scale"] = sigma_;
  EncodingState::Array& b = s.arrays["matrix"];
  b.shape = {std::size_t(features_), std::size_t(dims)};
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b_);
  for (int f = 0; f < features_; ++f)
    for (int d = 0; d < dims; ++d) b.values.push_back(double(host(f, d)));
  return s;
}

template <class Scalar>
void FourierEncoding<Scalar>::encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const {
  const int nf = features_;
  const std::size_t n = coords.extent(1);
  if (coords.extent(0) != dims || out.extent(0) != std::size_t(2 * nf) || out.extent(1) != n)
    throw std::logic_error("FourierEncoding::encode: shape mismatch");
  const Matrix<Scalar> b = b_;
  const Scalar two_pi = 2 * math::pi<Scalar>();
  // Flat index i = f + F * j: consecutive threads write consecutive rows.
  Kokkos::parallel_for(
      "mcinr::fourier_encode", Kokkos::RangePolicy<ExecSpace>(0, n * nf), KOKKOS_LAMBDA(const std::size_t i) {
        const int f = static_cast<int>(i % nf);
        const std::size_t j = i / nf;
        const Scalar phase = two_pi * (b(f, 0) * coords(0, j) + b(f, 1) * coords(1, j) + b(f, 2) * coords(2, j));
        out(f, j) = math::sin(phase);
        out(f + nf, j) = math::cos(phase);
      });
}

template <class Scalar>
void FourierEncoding<Scalar>::backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out,
                                       MatrixRef<Scalar> d_coords) {
  if (d_coords.extent(0) == 0) return;  // nothing trainable, no coordinate gradient asked
  const int nf = features_;
  const std::size_t n = coords.extent(1);
  if (d_out.extent(0) != std::size_t(2 * nf) || d_out.extent(1) != n || d_coords.extent(0) != dims ||
      d_coords.extent(1) != n)
    throw std::logic_error("FourierEncoding::backward: shape mismatch");
  const Matrix<Scalar> b = b_;
  const Scalar two_pi = 2 * math::pi<Scalar>();
  Kokkos::parallel_for(
      "mcinr::fourier_backward", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t j) {
        Scalar g0 = 0, g1 = 0, g2 = 0;
        for (int f = 0; f < nf; ++f) {
          const Scalar phase = two_pi * (b(f, 0) * coords(0, j) + b(f, 1) * coords(1, j) + b(f, 2) * coords(2, j));
          // d sin(p)/dx = cos(p) 2pi B_f ; d cos(p)/dx = -sin(p) 2pi B_f
          const Scalar w = two_pi * (math::cos(phase) * d_out(f, j) - math::sin(phase) * d_out(f + nf, j));
          g0 += w * b(f, 0);
          g1 += w * b(f, 1);
          g2 += w * b(f, 2);
        }
        d_coords(0, j) = g0;
        d_coords(1, j) = g1;
        d_coords(2, j) = g2;
      });
}

template class FourierEncoding<float>;
template class FourierEncoding<double>;

}  // namespace mcinr
