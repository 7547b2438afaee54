#pragma once
// Fitting one field (encoding + MLP) to a set of samples: the training loop
// of the method. Each epoch visits every sample once in a pseudo-random order
// (a counter-based permutation of (seed, epoch), so the random state of a fit
// is just its epoch number and the batch within it), in batches that mix the
// contrasts; each batch is reordered so its contrasts are contiguous columns.
// The epoch loop (run_epoch) can start mid-epoch and stop between batches on
// request: a resumed fit continues bit for bit.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mcinr/backends/types.hpp"
#include "mcinr/core/adam.hpp"
#include "mcinr/core/field.hpp"
#include "mcinr/core/math.hpp"

namespace mcinr {

// Training samples, sorted by contrast: contrast c owns samples
// [sum(counts[0..c)), sum(counts[0..c])).
// How a scan's voxel relates to the field: a point sample (decimated data,
// the reference's), or the average over the slab of a thick slice, weighted
// by a box or a Gaussian (FWHM = the slice thickness) along the
// slice-select direction.
enum class ProfileKind { point, box, gaussian };
ProfileKind parse_profile_kind(const std::string& name);  // "point", "box", "gaussian"
std::string to_string(ProfileKind kind);

struct SliceProfile {
  ProfileKind kind = ProfileKind::point;
  std::array<double, 3> thickness{0, 0, 0};  // the slice-select direction times the thickness, field units
};

// The offset across the slab, in thicknesses, where the profile's cumulative
// weight is u in [0, 1) (box: [-1/2, 1/2]; Gaussian of FWHM one thickness,
// truncated at +-3 sigma: its quantile). Equal strata of u hold equal shares
// of the profile, so the K points of a sample weigh 1/K each. Training draws
// u at random within K strata; the residual correction takes their centres.
// (Until 2026-11-27 the Gaussian spread u evenly over +-3 sigma and weighted
// each point by the profile there: the outer strata weighed 0.1 as much as
// the inner, so K = 4 was nearly K = 2.)
KOKKOS_INLINE_FUNCTION double profile_offset(ProfileKind kind, double u) {
  if (kind == ProfileKind::box) return u - 0.5;
  if (kind == ProfileKind::gaussian) {
    const double sigma = 1.0 / 2.3548200450309493;  // FWHM = one thickness
    const double tail = 1.3498980316300946e-3;      // Phi(-3)
    return sigma * math::normal_quantile(tail + u * (1 - 2 * tail));
  }
  return 0;
}

template <class Scalar> struct SampleSet {
  Matrix<Scalar> coords;               // 3 x S, in the field's domain
  Vector<Scalar> values;               // S
  std::vector<std::size_t> counts;     // per contrast
  std::vector<SliceProfile> profiles;  // per contrast; empty: point samples
  std::size_t size() const { return values.extent(0); }
};

// How the learning rate falls: cosine annealing from lr to 0, stepped once
// per epoch over the planned epochs (the reference's, torch's
// CosineAnnealingLR), or at every step over total_steps.
enum class Schedule { cosine_epoch, cosine_step };
Schedule parse_schedule(const std::string& name);  // "cosine-epoch", "cosine-step"
std::string to_string(Schedule schedule);

struct TrainConfig {
  int epochs = 50;
  std::size_t batch_size = 1000;
  AdamConfig adam;  // the MLP's; a trainable encoding's lr is EncodingConfig::lr
  std::uint64_t seed = 12;
  bool skip_other_heads = true;
  Schedule schedule = Schedule::cosine_epoch;
  // cosine_step: the steps the cosine spans (0: epochs x batches per epoch);
  // steps before `constant_steps` run at the full rate and the cosine spans
  // the rest (a fit on a time budget measures its speed there first).
  std::uint64_t total_steps = 0, constant_steps = 0;
  // A trainable encoding whose backward tracks its touched rows (hashgrid)
  // updates only those rows ("lazy" Adam) instead of every parameter.
  bool sparse_encoding_update = true;
  // Samples with a slice profile are predicted as the weighted mean of the
  // field at this many points across the slab: stratified draws, one per
  // stratum, a pure function of (seed, epoch, sample, k).
  int profile_samples = 4;
  // Encode batches by Encoding::encode_fast (Fourier: sines and cosines by a
  // polynomial, within 1e-7) rather than encode (the C library's, bit for bit
  // the reference's arithmetic).
  bool fast_encoding = false;

  // Throws std::invalid_argument naming the option (--epochs ...).
  void validate() const;
};

struct EpochStats {
  int epoch = 0;                  // 1-based, the epoch just finished
  double lr = 0;                  // learning rate used in it
  double loss = 0;                // mean of its batch losses
  double seconds = 0;             // training time of the batches run in this call
  double samples_per_second = 0;  // over those batches
};

// Where an epoch stands: the next batch to run and its batch losses so far.
struct EpochPosition {
  std::size_t next_batch = 0;
  double loss_sum = 0;
};

// After each batch of run_epoch.
struct BatchProgress {
  int epoch = 0;            // 1-based, the epoch running
  int epochs = 0;           // planned
  std::size_t batch = 0;    // batches of this epoch done
  std::size_t batches = 0;  // per epoch
  double mean_loss = 0;     // of this epoch's batches so far
  double seconds = 0;       // since run_epoch began
  std::size_t samples = 0;  // trained since run_epoch began
};
using BatchObserver = std::function<void(const BatchProgress&)>;

struct EpochResult {
  bool finished = false;  // every batch ran and the epoch count advanced
  // A batch's loss was NaN or infinite: the epoch stopped there (batch
  // position.next_batch, at diverged_lr); the field's state is not usable.
  bool diverged = false;
  double diverged_lr = 0;
  // Where it stopped; finished: {batches, the epoch's loss sum}. next_batch
  // == batches with finished false: trained, but not counted yet.
  EpochPosition position;
  EpochStats stats;
};

template <class Scalar> class FieldTrainer {
 public:
  FieldTrainer(const FieldConfig& field, const TrainConfig& train, SampleSet<Scalar> samples);

  // Runs epoch epochs_done() + 1 from `from` (a resumed epoch starts where its
  // checkpoint says) to its end, until stop() says so after a batch, or
  // until a batch's loss is not finite (diverged).
  EpochResult run_epoch(const EpochPosition& from = {}, const StopRequested& stop = {},
                        const BatchObserver& observe = {});
  EpochStats train_epoch() { return run_epoch().stats; }

  // One optimisation step on samples [first, first + count) of this epoch's
  // order with the MLP's learning rate lr (a trainable encoding's is scaled
  // alike); returns the batch loss.
  double train_step(std::size_t first, std::size_t count, double lr);

  // The MLP's learning rate at batch b (0-based) of epoch e (0-based).
  double learning_rate(int epoch, std::size_t batch = 0) const;
  // Sets total_steps and constant_steps (a budgeted fit, once it knows its speed).
  void set_step_plan(std::uint64_t total_steps, std::uint64_t constant_steps);

  bool predict(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out, const StopRequested& stop = {},
               const PredictProgress& progress = {}) {
    return field_.predict(coords, out, stop, progress);
  }

  int epochs_done() const { return epoch_; }
  void set_epochs_done(int epoch) { epoch_ = epoch; }
  std::size_t batches_per_epoch() const;
  std::size_t sample_count() const { return samples_.size(); }
  Field<Scalar>& field() { return field_; }
  Encoding<Scalar>& encoding() { return field_.encoding(); }
  Mlp<Scalar>& mlp() { return field_.mlp(); }
  Adam<Scalar>& optimizer() { return adam_; }
  Adam<Scalar>& encoding_optimizer() { return encoding_adam_; }  // empty where nothing is trained
  const TrainConfig& train_config() const { return train_; }
  const FieldConfig& field_config() const { return config_; }

 private:
  FieldConfig config_;
  TrainConfig train_;
  SampleSet<Scalar> samples_;
  Field<Scalar> field_;
  Adam<Scalar> adam_, encoding_adam_;
  double encoding_lr_ratio_ = 1;  // encoding lr / MLP lr
  int epoch_ = 0;
  Kokkos::View<std::uint64_t*, MemSpace> order_;  // batch slot -> sample
  Matrix<Scalar> batch_coords_;                   // 3 x B
  Vector<Scalar> batch_values_;                   // B
  Vector<Scalar> encoded_;                        // D x B
  Vector<Scalar> d_encoded_;                      // D x B, trainable encodings only
  Vector<Scalar> d_output_;                       // B x contrasts
  // Slice profiles: K points per sample.
  int k_ = 1;                          // points per sample (1: point samples)
  Matrix<Scalar> profile_coords_;      // 3 x B K
  Vector<Scalar> profile_prediction_;  // B x contrasts (the weighted means)
  Vector<Scalar> profile_d_;           // B x contrasts
};

extern template class FieldTrainer<float>;
extern template class FieldTrainer<double>;

}  // namespace mcinr
