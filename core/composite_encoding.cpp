#include "mcinr/core/composite_encoding.hpp"

#include <stdexcept>

namespace mcinr {
namespace {

// The parts' rows interleaved back into one matrix: rows 0..a-1 from the
// first, a.. from the second. A free function: CUDA allows no device lambda
// inside a private member function.
template <class Scalar>
void join_rows(const Matrix<Scalar>& first, const Matrix<Scalar>& second, MatrixRef<Scalar> out) {
  const int a = int(first.extent(0)), b = int(second.extent(0));
  Kokkos::parallel_for(
      "mcinr::composite_join", Kokkos::RangePolicy<ExecSpace>(0, out.extent(1)), KOKKOS_LAMBDA(const std::size_t j) {
        for (int r = 0; r < a; ++r) out(r, j) = first(r, j);
        for (int r = 0; r < b; ++r) out(a + r, j) = second(r, j);
      });
}

}  // namespace

template <class Scalar>
CompositeEncoding<Scalar>::CompositeEncoding(std::string kind, std::unique_ptr<Encoding<Scalar>> fixed,
                                             std::unique_ptr<Encoding<Scalar>> trained)
    : kind_(std::move(kind)), first_(std::move(fixed)), second_(std::move(trained)) {
  if (!first_ || !second_) throw std::logic_error("CompositeEncoding: a part is missing");
  if (first_->parameter_count() > 0) throw std::logic_error("CompositeEncoding: the first part must not train");
}

template <class Scalar>
void CompositeEncoding<Scalar>::encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const {
  encode_parts(coords, out, false);
}

template <class Scalar>
void CompositeEncoding<Scalar>::encode_fast(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const {
  encode_parts(coords, out, true);
}

template <class Scalar>
void CompositeEncoding<Scalar>::encode_parts(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out, bool fast) const {
  const int a = first_->output_dim(), b = second_->output_dim();
  if (out.extent(0) != std::size_t(a + b)) throw std::logic_error("CompositeEncoding::encode: shape mismatch");
  // Row windows of a column-major matrix are strided: each part writes into
  // its own buffer, then the rows are interleaved back.
  Matrix<Scalar> first("composite_first", a, coords.extent(1)), second("composite_second", b, coords.extent(1));
  if (fast) {
    first_->encode_fast(coords, first);
    second_->encode_fast(coords, second);
  } else {
    first_->encode(coords, first);
    second_->encode(coords, second);
  }
  join_rows(first, second, out);
}

template <class Scalar>
void CompositeEncoding<Scalar>::backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out,
                                         MatrixRef<Scalar> d_coords) {
  const int a = first_->output_dim(), b = second_->output_dim();
  const std::size_t n = coords.extent(1);
  Matrix<Scalar> d_first("composite_d_first", a, n), d_second("composite_d_second", b, n);
  Kokkos::parallel_for(
      "mcinr::composite_split", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t j) {
        for (int r = 0; r < a; ++r) d_first(r, j) = d_out(r, j);
        for (int r = 0; r < b; ++r) d_second(r, j) = d_out(a + r, j);
      });
  if (d_coords.extent(0) == 0) {
    second_->backward(coords, d_second, d_coords);
    return;
  }
  Matrix<Scalar> part("composite_d_coords", 3, n);
  first_->backward(coords, d_first, d_coords);
  second_->backward(coords, d_second, part);
  Kokkos::parallel_for(
      "mcinr::composite_add", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t j) {
        for (int r = 0; r < 3; ++r) d_coords(r, j) += part(r, j);
      });
}

template <class Scalar> EncodingState CompositeEncoding<Scalar>::state() const {
  EncodingState s;
  s.kind = kind_;
  const EncodingState parts[2] = {first_->state(), second_->state()};
  for (int p = 0; p < 2; ++p) {
    const std::string prefix = p == 0 ? "1_" : "2_";
    for (const auto& [name, value] : parts[p].attributes) s.attributes[prefix + name] = value;
    for (const auto& [name, array] : parts[p].arrays) s.arrays[prefix + name] = array;
  }
  return s;
}

template <class Scalar>
std::pair<EncodingState, EncodingState> CompositeEncoding<Scalar>::split(const EncodingState& state,
                                                                         const std::string& first_kind,
                                                                         const std::string& second_kind) {
  std::pair<EncodingState, EncodingState> parts;
  parts.first.kind = first_kind;
  parts.second.kind = second_kind;
  for (const auto& [name, value] : state.attributes) {
    if (name.rfind("1_", 0) == 0) parts.first.attributes[name.substr(2)] = value;
    if (name.rfind("2_", 0) == 0) parts.second.attributes[name.substr(2)] = value;
  }
  for (const auto& [name, array] : state.arrays) {
    if (name.rfind("1_", 0) == 0) parts.first.arrays[name.substr(2)] = array;
    if (name.rfind("2_", 0) == 0) parts.second.arrays[name.substr(2)] = array;
  }
  return parts;
}

template class CompositeEncoding<float>;
template class CompositeEncoding<double>;

}  // namespace mcinr
