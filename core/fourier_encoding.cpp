#include "mcinr/core/fourier_encoding.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mcinr/core/math.hpp"
#include "mcinr/core/random.hpp"

namespace mcinr {

namespace {

// The largest |2 pi B_f . x| over the features for |x|_inf <= 1.
template <class Scalar> double phase_reach(const Matrix<Scalar>& b) {
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  double reach = 0;
  for (std::size_t f = 0; f < host.extent(0); ++f)
    reach = std::max(reach,
                     2 * math::pi<double>() *
                         (std::abs(double(host(f, 0))) + std::abs(double(host(f, 1))) + std::abs(double(host(f, 2)))));
  return reach;
}

// out = [sin; cos](2 pi B coords): one team per sample, its threads along the
// features. fast: math::sincos_reduced (no library call, no branch in the
// features' loop) for the samples whose every phase stays within its range:
// at the usual scales every sample inside the field's domain and far beyond.
template <class Scalar>
void fourier_features(const Matrix<Scalar>& b, double reach, ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out,
                      bool fast) {
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  const int nf = static_cast<int>(b.extent(0));
  const Scalar two_pi = 2 * math::pi<Scalar>();
  // With a margin for rounding: sincos_reduced holds below 8192.
  const Scalar limit = fast ? Scalar(8000 / reach) : Scalar(0);
  Kokkos::parallel_for(
      "mcinr::fourier_encode", Policy(static_cast<int>(coords.extent(1)), Kokkos::AUTO),
      KOKKOS_LAMBDA(const typename Policy::member_type& team) {
        const std::size_t j = team.league_rank();
        const Scalar x0 = coords(0, j), x1 = coords(1, j), x2 = coords(2, j);
        if (math::max(math::fabs(x0), math::max(math::fabs(x1), math::fabs(x2))) < limit) {
          Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nf), [&](const int f) {
            math::sincos_reduced(two_pi * (b(f, 0) * x0 + b(f, 1) * x1 + b(f, 2) * x2), out(f, j), out(f + nf, j));
          });
        } else {
          Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nf), [&](const int f) {
            const Scalar phase = two_pi * (b(f, 0) * x0 + b(f, 1) * x1 + b(f, 2) * x2);
            out(f, j) = math::sin(phase);
            out(f + nf, j) = math::cos(phase);
          });
        }
      });
}

}  // namespace

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
  reach_ = phase_reach(b_);
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
  enc.reach_ = phase_reach(enc.b_);
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
  check_shapes(coords, out);
  fourier_features<Scalar>(b_, reach_, coords, out, false);
}

template <class Scalar>
void FourierEncoding<Scalar>::encode_fast(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const {
  check_shapes(coords, out);
  fourier_features<Scalar>(b_, reach_, coords, out, true);
}

template <class Scalar>
void FourierEncoding<Scalar>::check_shapes(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const {
  if (coords.extent(0) != dims || out.extent(0) != std::size_t(2 * features_) || out.extent(1) != coords.extent(1))
    throw std::logic_error("FourierEncoding::encode: shape mismatch");
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
