#pragma once
// A neural field: an encoding (the seam of core/encoding.hpp) followed by the
// MLP, one output per contrast. What a fit trains, a checkpoint saves and
// infer evaluates.
#include <functional>
#include <memory>

#include "mcinr/core/encoding.hpp"
#include "mcinr/core/mlp.hpp"

namespace mcinr {

struct FieldConfig {
  EncodingConfig encoding;
  MlpConfig mlp;  // mlp.input_dim is set from the encoding
};

// Asked between chunks of a long computation: true abandons it (a fit
// interrupted by Slurm must checkpoint within its grace time).
using StopRequested = std::function<bool()>;
// Called after each chunk of a prediction with the points done and in all.
using PredictProgress = std::function<void(std::size_t done, std::size_t total)>;

template <class Scalar> class Field {
 public:
  Field() = default;
  // capacity: the largest batch the MLP will see (and predict's chunk size:
  // larger chunks were not faster, mcinr-bench's predict line).
  Field(std::unique_ptr<Encoding<Scalar>> encoding, MlpConfig mlp, std::size_t capacity);

  Encoding<Scalar>& encoding() const { return *encoding_; }
  Mlp<Scalar>& mlp() { return mlp_; }
  const Mlp<Scalar>& mlp() const { return mlp_; }
  int contrasts() const { return mlp_.contrasts(); }
  std::size_t predict_chunk() const { return mlp_.capacity(); }
  // MLP and encoding parameters together.
  std::size_t parameter_count() const { return mlp_.parameter_count() + encoding_->parameter_count(); }

  // Evaluates every head at coords (3 x N) into out (N x contrasts), in
  // chunks of the capacity. Returns false, with out incomplete, where stop
  // said so between chunks. progress (optional) hears after each chunk.
  bool predict(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out, const StopRequested& stop = {},
               const PredictProgress& progress = {});

 private:
  std::unique_ptr<Encoding<Scalar>> encoding_;
  Mlp<Scalar> mlp_;
};

extern template class Field<float>;
extern template class Field<double>;

}  // namespace mcinr
