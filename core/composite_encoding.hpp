#pragma once
// Two encodings side by side: the output is the first's rows, then the
// second's; trainable parameters and touched rows are the second's (the
// first must have none). Kind "fourier+hashgrid": smooth Fourier features
// for the field's large-scale shape and gap filling, beside a hash grid for
// detail.
#include <memory>

#include "mcinr/core/encoding.hpp"

namespace mcinr {

template <class Scalar> class CompositeEncoding final : public Encoding<Scalar> {
 public:
  CompositeEncoding(std::string kind, std::unique_ptr<Encoding<Scalar>> fixed,
                    std::unique_ptr<Encoding<Scalar>> trained);

  std::string kind() const override { return kind_; }
  int output_dim() const override { return first_->output_dim() + second_->output_dim(); }
  void encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const override;
  void encode_fast(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const override;
  void backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) override;
  Vector<Scalar> parameters() const override { return second_->parameters(); }
  Vector<Scalar> gradients() const override { return second_->gradients(); }
  bool tracks_touched_rows() const override { return second_->tracks_touched_rows(); }
  Kokkos::View<const std::uint32_t*, MemSpace> touched_rows() const override { return second_->touched_rows(); }
  int row_width() const override { return second_->row_width(); }
  // Attributes and arrays of both, named "1." and "2."; kinds as attributes' values are not needed.
  EncodingState state() const override;
  double flops_per_sample() const override { return first_->flops_per_sample() + second_->flops_per_sample(); }

  // The two parts of a state written by state().
  static std::pair<EncodingState, EncodingState> split(const EncodingState& state, const std::string& first_kind,
                                                       const std::string& second_kind);

 private:
  void encode_parts(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out, bool fast) const;

  std::string kind_;
  std::unique_ptr<Encoding<Scalar>> first_, second_;
};

extern template class CompositeEncoding<float>;
extern template class CompositeEncoding<double>;

}  // namespace mcinr
