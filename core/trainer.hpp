#pragma once
// Fitting one field (Fourier encoding + MLP) to a set of samples: the
// training loop of the method. Each epoch visits every sample once in a
// pseudo-random order (a counter-based permutation of (seed, epoch), so the
// random state of a fit is just its epoch number), in batches that mix the
// contrasts; each batch is reordered so its contrasts are contiguous columns.
#include <cstdint>
#include <string>
#include <vector>

#include "core/adam.hpp"
#include "core/fourier_encoding.hpp"
#include "core/mlp.hpp"
#include "core/types.hpp"

namespace mcinr {

// Training samples, sorted by contrast: contrast c owns samples
// [sum(counts[0..c)), sum(counts[0..c])).
template <class Scalar>
struct SampleSet {
  Matrix<Scalar> coords;            // 3 x S, in the field's domain
  Vector<Scalar> values;            // S
  std::vector<std::size_t> counts;  // per contrast
  std::size_t size() const { return values.extent(0); }
};

struct FieldConfig {
  int fourier_features = 256;
  double fourier_scale = 4.0;
  MlpConfig mlp;  // mlp.input_dim is set from fourier_features
};

struct TrainConfig {
  int epochs = 50;
  std::size_t batch_size = 1000;
  AdamConfig adam;
  std::uint64_t seed = 12;
  bool skip_other_heads = true;
};

struct EpochStats {
  int epoch = 0;           // 1-based, the epoch just finished
  double lr = 0;           // learning rate used in it
  double loss = 0;         // mean of its batch losses
  double seconds = 0;      // training time of the epoch
  double samples_per_second = 0;
};

// Asked between chunks of a long prediction: true abandons it (a fit
// interrupted by Slurm must checkpoint within its grace time).
using StopRequested = bool (*)();

// Evaluates every head of a field (encoding + MLP) at coords (3 x N) into
// out (N x contrasts), in chunks of the MLP's capacity. Returns false, with
// out incomplete, where stop_requested said so between chunks.
template <class Scalar>
bool predict_field(const FourierEncoding<Scalar>& encoding, Mlp<Scalar>& mlp, ConstMatrixRef<Scalar> coords,
                   MatrixRef<Scalar> out, StopRequested stop_requested = nullptr);
extern template bool predict_field<float>(const FourierEncoding<float>&, Mlp<float>&, ConstMatrixRef<float>,
                                          MatrixRef<float>, StopRequested);
extern template bool predict_field<double>(const FourierEncoding<double>&, Mlp<double>&, ConstMatrixRef<double>,
                                           MatrixRef<double>, StopRequested);

template <class Scalar>
class FieldTrainer {
 public:
  FieldTrainer(const FieldConfig& field, const TrainConfig& train, SampleSet<Scalar> samples);

  // Runs one epoch. progress (optional) is called after each batch with
  // (batch index, batches in the epoch, running mean loss).
  template <class Progress>
  EpochStats train_epoch(Progress&& progress);
  EpochStats train_epoch() {
    return train_epoch([](std::size_t, std::size_t, double) {});
  }

  // One optimisation step on samples [first, first + count) of this epoch's
  // order; returns the batch loss. train_epoch is a loop over this.
  double train_step(std::size_t first, std::size_t count, double lr);

  // Evaluates every head at coords (3 x N) into out (N x contrasts); false
  // where stop_requested abandoned it (see predict_field).
  bool predict(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out, StopRequested stop_requested = nullptr);

  int epochs_done() const { return epoch_; }
  void set_epochs_done(int epoch) { epoch_ = epoch; }
  std::size_t batches_per_epoch() const;
  const FourierEncoding<Scalar>& encoding() const { return encoding_; }
  Mlp<Scalar>& mlp() { return mlp_; }
  Adam<Scalar>& optimizer() { return adam_; }
  const TrainConfig& train_config() const { return train_; }
  const FieldConfig& field_config() const { return field_; }

 private:
  FieldConfig field_;
  TrainConfig train_;
  SampleSet<Scalar> samples_;
  FourierEncoding<Scalar> encoding_;
  Mlp<Scalar> mlp_;
  Adam<Scalar> adam_;
  int epoch_ = 0;
  Kokkos::View<std::uint64_t*, MemSpace> order_;  // batch slot -> sample
  Matrix<Scalar> batch_coords_;                    // 3 x B
  Vector<Scalar> batch_values_;                    // B
  Vector<Scalar> encoded_;                         // 2F x B
  Vector<Scalar> d_output_;                        // B x contrasts
};

template <class Scalar>
template <class Progress>
EpochStats FieldTrainer<Scalar>::train_epoch(Progress&& progress) {
  Kokkos::Timer timer;
  const double lr = cosine_learning_rate(train_.adam.lr, epoch_, train_.epochs);
  const std::size_t batches = batches_per_epoch();
  double loss_sum = 0;
  for (std::size_t b = 0; b < batches; ++b) {
    const std::size_t first = b * train_.batch_size;
    const std::size_t count = std::min(train_.batch_size, samples_.size() - first);
    loss_sum += train_step(first, count, lr);
    progress(b, batches, loss_sum / double(b + 1));
  }
  Kokkos::fence();
  ++epoch_;
  EpochStats stats;
  stats.epoch = epoch_;
  stats.lr = lr;
  stats.loss = loss_sum / double(batches);
  stats.seconds = timer.seconds();
  stats.samples_per_second = double(samples_.size()) / stats.seconds;
  return stats;
}

extern template class FieldTrainer<float>;
extern template class FieldTrainer<double>;

}  // namespace mcinr
