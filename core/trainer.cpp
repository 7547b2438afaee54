#include "mcinr/core/trainer.hpp"

#include <cmath>
#include <stdexcept>

#include "mcinr/core/loss.hpp"
#include "mcinr/core/math.hpp"
#include "mcinr/core/random.hpp"

namespace mcinr {

Schedule parse_schedule(const std::string& name) {
  if (name == "cosine-epoch") return Schedule::cosine_epoch;
  if (name == "cosine-step") return Schedule::cosine_step;
  throw std::invalid_argument("unknown --schedule '" + name + "' (expected cosine-epoch or cosine-step)");
}

std::string to_string(Schedule schedule) {
  return schedule == Schedule::cosine_epoch ? "cosine-epoch" : "cosine-step";
}

ProfileKind parse_profile_kind(const std::string& name) {
  if (name == "point") return ProfileKind::point;
  if (name == "box") return ProfileKind::box;
  if (name == "gaussian") return ProfileKind::gaussian;
  throw std::invalid_argument("unknown --slice-profile '" + name + "' (expected point, box or gaussian)");
}

std::string to_string(ProfileKind kind) {
  switch (kind) {
    case ProfileKind::point: return "point";
    case ProfileKind::box: return "box";
    case ProfileKind::gaussian: return "gaussian";
  }
  return "?";
}

void TrainConfig::validate() const {
  if (epochs <= 0 || epochs > 1000000) throw std::invalid_argument("--epochs must be between 1 and 1000000");
  if (batch_size == 0 || batch_size > (std::size_t(1) << 24))
    throw std::invalid_argument("--batch-size must be between 1 and 16777216");
  if (!(adam.lr > 0) || !(adam.lr < 1e3)) throw std::invalid_argument("--lr must be positive");
  if (!(adam.beta1 >= 0 && adam.beta1 < 1) || !(adam.beta2 >= 0 && adam.beta2 < 1))
    throw std::invalid_argument("Adam's betas must lie in [0, 1)");
  if (!(adam.eps > 0) || !(adam.eps < 1)) throw std::invalid_argument("Adam's eps must be positive");
  if (profile_samples < 1 || profile_samples > 64)
    throw std::invalid_argument("--profile-samples must be between 1 and 64");
}

template <class Scalar>
FieldTrainer<Scalar>::FieldTrainer(const FieldConfig& field, const TrainConfig& train, SampleSet<Scalar> samples)
    : config_(field), train_(train), samples_(std::move(samples)) {
  train_.validate();
  config_.encoding.validate();
  bool profiled = false;
  for (const SliceProfile& p : samples_.profiles) profiled = profiled || p.kind != ProfileKind::point;
  k_ = profiled ? train_.profile_samples : 1;
  field_ = Field<Scalar>(make_encoding<Scalar>(config_.encoding, train_.seed), config_.mlp, train_.batch_size * k_);
  config_.mlp = field_.mlp().config();
  if (samples_.size() == 0) throw std::invalid_argument("no training samples");
  if (samples_.coords.extent(0) != 3 || samples_.coords.extent(1) != samples_.size())
    throw std::logic_error("training coordinates must be 3 x samples");
  if (samples_.counts.size() != std::size_t(field_.contrasts()))
    throw std::logic_error("samples have " + std::to_string(samples_.counts.size()) + " contrasts, the model " +
                           std::to_string(field_.contrasts()));
  std::size_t total = 0;
  for (auto c : samples_.counts) total += c;
  if (total != samples_.size()) throw std::logic_error("per-contrast sample counts do not add up");
  field_.mlp().initialize(train_.seed);
  adam_ = Adam<Scalar>(field_.mlp().parameter_count(), train_.adam);
  const std::size_t b = train_.batch_size;
  const int dim = field_.encoding().output_dim();
  if (field_.encoding().parameter_count() > 0) {
    AdamConfig encoding_adam = train_.adam;
    if (config_.encoding.lr > 0) encoding_adam.lr = config_.encoding.lr;
    encoding_lr_ratio_ = encoding_adam.lr / train_.adam.lr;
    encoding_adam_ = Adam<Scalar>(field_.encoding().parameter_count(), encoding_adam);
    d_encoded_ = Vector<Scalar>("batch_d_encoding", std::size_t(dim) * b * k_);
  }
  if (!samples_.profiles.empty() && samples_.profiles.size() != samples_.counts.size())
    throw std::logic_error("slice profiles: one per contrast");
  if (k_ > 1) {
    profile_coords_ = Matrix<Scalar>("profile_coords", 3, b * k_);
    profile_prediction_ = Vector<Scalar>("profile_prediction", std::size_t(field_.contrasts()) * b);
    profile_d_ = Vector<Scalar>("profile_d", std::size_t(field_.contrasts()) * b);
  }
  order_ = Kokkos::View<std::uint64_t*, MemSpace>("batch_order", b);
  batch_coords_ = Matrix<Scalar>("batch_coords", 3, b);
  batch_values_ = Vector<Scalar>("batch_values", b);
  encoded_ = Vector<Scalar>("batch_encoding", std::size_t(dim) * b * k_);
  d_output_ = Vector<Scalar>("batch_d_output", std::size_t(field_.contrasts()) * b * k_);
}

template <class Scalar> std::size_t FieldTrainer<Scalar>::batches_per_epoch() const {
  return (samples_.size() + train_.batch_size - 1) / train_.batch_size;
}

template <class Scalar> double FieldTrainer<Scalar>::learning_rate(int epoch, std::size_t batch) const {
  if (train_.schedule == Schedule::cosine_epoch) return cosine_learning_rate(train_.adam.lr, epoch, train_.epochs);
  const std::uint64_t step = std::uint64_t(epoch) * batches_per_epoch() + batch;
  const std::uint64_t total =
      train_.total_steps ? train_.total_steps : std::uint64_t(train_.epochs) * batches_per_epoch();
  return cosine_step_rate(train_.adam.lr, step, total, train_.constant_steps);
}

template <class Scalar>
void FieldTrainer<Scalar>::set_step_plan(std::uint64_t total_steps, std::uint64_t constant_steps) {
  train_.total_steps = total_steps;
  train_.constant_steps = constant_steps;
}

namespace detail {

// Fills order[0, count) with the samples at positions [first, first + count)
// of the permutation, contrast by contrast (a stable partition), then gathers
// their coordinates and values. Returns the per-contrast counts. (A free
// function: CUDA forbids device lambdas in private member functions.)
template <class Scalar>
std::vector<std::size_t> gather_batch(const random::Permutation& perm, const SampleSet<Scalar>& samples,
                                      std::size_t first, std::size_t count,
                                      const Kokkos::View<std::uint64_t*, MemSpace>& order,
                                      const Matrix<Scalar>& batch_coords, const Vector<Scalar>& batch_values) {
  std::vector<std::size_t> per_contrast(samples.counts.size(), 0);
  std::size_t offset = 0, lo = 0;
  for (std::size_t c = 0; c < samples.counts.size(); ++c) {
    const std::size_t hi = lo + samples.counts[c];
    std::size_t members = 0;
    const std::size_t base = offset;
    Kokkos::parallel_scan(
        "mcinr::batch_partition", Kokkos::RangePolicy<ExecSpace>(0, count),
        KOKKOS_LAMBDA(const std::size_t k, std::size_t& prefix, const bool final) {
          const std::uint64_t s = perm(first + k);
          if (s >= lo && s < hi) {
            if (final) order(base + prefix) = s;
            ++prefix;
          }
        },
        members);
    per_contrast[c] = members;
    offset += members;
    lo = hi;
  }
  const auto coords = samples.coords;
  const auto values = samples.values;
  Kokkos::parallel_for(
      "mcinr::batch_gather", Kokkos::RangePolicy<ExecSpace>(0, count), KOKKOS_LAMBDA(const std::size_t i) {
        const std::uint64_t s = order(i);
        batch_coords(0, i) = coords(0, s);
        batch_coords(1, i) = coords(1, s);
        batch_coords(2, i) = coords(2, s);
        batch_values(i) = values(s);
      });
  return per_contrast;
}

// Spreads each sample of the batch over K points across its slab:
// points(:, i K + k) = coords(:, i) + t_ik thickness_c, t_ik drawn in
// stratum k of the profile's weight (each point weighs 1/K). Samples in
// [bounds[c], bounds[c+1]) are of contrast c.
template <class Scalar>
void spread_profile(const Matrix<Scalar>& coords, const Kokkos::View<std::uint64_t*, MemSpace>& order, std::size_t count,
                    int k, const std::vector<std::size_t>& per_contrast, const std::vector<SliceProfile>& profiles,
                    std::uint64_t seed, std::uint64_t epoch, std::uint64_t samples, const Matrix<Scalar>& points) {
  std::size_t begin = 0;
  for (std::size_t c = 0; c < per_contrast.size(); ++c) {
    const std::size_t end = begin + per_contrast[c];
    const SliceProfile p = profiles[c];
    const ProfileKind kind = p.kind;
    const Scalar dx = Scalar(p.thickness[0]), dy = Scalar(p.thickness[1]), dz = Scalar(p.thickness[2]);
    const std::uint64_t stream = static_cast<std::uint64_t>(random::Stream::slice_profile);
    Kokkos::parallel_for(
        "mcinr::profile_points", Kokkos::RangePolicy<ExecSpace>(begin, end), KOKKOS_LAMBDA(const std::size_t i) {
          for (int j = 0; j < k; ++j) {
            const std::uint64_t counter = (epoch * samples + order(i)) * std::uint64_t(k) + std::uint64_t(j);
            const double u = (double(j) + random::uniform(seed, stream, counter)) / double(k);  // stratum j of [0, 1)
            const double t = profile_offset(kind, u);
            const std::size_t col = i * std::size_t(k) + std::size_t(j);
            points(0, col) = coords(0, i) + Scalar(t) * dx;
            points(1, col) = coords(1, i) + Scalar(t) * dy;
            points(2, col) = coords(2, i) + Scalar(t) * dz;
          }
        });
    begin = end;
  }
}

// reduced(i, c) = sum_k out(i K + k, c) / K.
template <class Scalar>
void reduce_profile(ConstMatrixRef<Scalar> out, int k, std::size_t count, MatrixRef<Scalar> reduced) {
  const int contrasts = int(out.extent(1));
  const Scalar weight = Scalar(1) / Scalar(k);
  Kokkos::parallel_for(
      "mcinr::profile_reduce", Kokkos::RangePolicy<ExecSpace>(0, count * contrasts), KOKKOS_LAMBDA(const std::size_t t) {
        const std::size_t i = t % count;
        const int c = int(t / count);
        Scalar sum = 0;
        for (int j = 0; j < k; ++j) sum += weight * out(i * k + j, c);
        reduced(i, c) = sum;
      });
}

// d_out(i K + k, c) = d_reduced(i, c) / K.
template <class Scalar>
void spread_gradient(ConstMatrixRef<Scalar> d_reduced, int k, MatrixRef<Scalar> d_out) {
  const std::size_t rows = d_out.extent(0);
  const int contrasts = int(d_out.extent(1));
  const Scalar weight = Scalar(1) / Scalar(k);
  Kokkos::parallel_for(
      "mcinr::profile_spread_gradient", Kokkos::RangePolicy<ExecSpace>(0, rows * contrasts),
      KOKKOS_LAMBDA(const std::size_t t) {
        const std::size_t r = t % rows;
        const int c = int(t / rows);
        d_out(r, c) = weight * d_reduced(r / k, c);
      });
}

}  // namespace detail

template <class Scalar> double FieldTrainer<Scalar>::train_step(std::size_t first, std::size_t count, double lr) {
  const random::Permutation perm(samples_.size(), train_.seed, std::uint64_t(epoch_));
  const BatchSplit split =
      BatchSplit::counts(detail::gather_batch(perm, samples_, first, count, order_, batch_coords_, batch_values_));
  Encoding<Scalar>& encoding = field_.encoding();
  Mlp<Scalar>& mlp = field_.mlp();
  const auto values = Kokkos::subview(batch_values_, Kokkos::make_pair(std::size_t(0), count));
  // With slice profiles, each sample is K points across its slab.
  const std::size_t points = count * std::size_t(k_);
  std::vector<std::size_t> per_contrast;
  for (int c = 0; c < split.contrasts(); ++c) per_contrast.push_back(split.count(c));
  if (k_ > 1)
    detail::spread_profile<Scalar>(batch_coords_, order_, count, k_, per_contrast, samples_.profiles, train_.seed,
                                   std::uint64_t(epoch_), samples_.size(), profile_coords_);
  std::vector<std::size_t> point_counts = per_contrast;
  for (auto& n : point_counts) n *= std::size_t(k_);
  const BatchSplit point_split = k_ > 1 ? BatchSplit::counts(point_counts) : split;
  const ConstMatrixRef<Scalar> coords =
      k_ > 1 ? columns(profile_coords_, 0, points) : columns(batch_coords_, 0, count);
  const MatrixRef<Scalar> encoded(encoded_.data(), encoding.output_dim(), points);
  if (train_.fast_encoding)
    encoding.encode_fast(coords, encoded);
  else
    encoding.encode(coords, encoded);
  mlp.forward(encoded, point_split, train_.skip_other_heads);
  const MatrixRef<Scalar> d_output(d_output_.data(), points, mlp.contrasts());
  double loss = 0;
  if (k_ > 1) {
    const MatrixRef<Scalar> reduced(profile_prediction_.data(), count, mlp.contrasts());
    const MatrixRef<Scalar> d_reduced(profile_d_.data(), count, mlp.contrasts());
    detail::reduce_profile<Scalar>(mlp.output(), k_, count, reduced);
    loss = masked_mse<Scalar>(reduced, values, split, d_reduced);
    detail::spread_gradient<Scalar>(d_reduced, k_, d_output);
  } else {
    loss = masked_mse<Scalar>(mlp.output(), values, split, d_output);
  }
  const bool trainable_encoding = encoding.parameter_count() > 0;
  const MatrixRef<Scalar> d_encoded =
      trainable_encoding ? MatrixRef<Scalar>(d_encoded_.data(), encoding.output_dim(), points) : MatrixRef<Scalar>();
  mlp.backward(encoded, d_output, point_split, train_.skip_other_heads, d_encoded);
  adam_.step(mlp.parameters(), mlp.gradients(), lr);
  if (trainable_encoding) {
    encoding.backward(coords, d_encoded, MatrixRef<Scalar>());
    if (train_.sparse_encoding_update && encoding.tracks_touched_rows())
      encoding_adam_.step_rows(encoding.parameters(), encoding.gradients(), encoding.touched_rows(),
                               encoding.row_width(), lr * encoding_lr_ratio_);
    else
      encoding_adam_.step(encoding.parameters(), encoding.gradients(), lr * encoding_lr_ratio_);
  }
  return loss;
}

template <class Scalar>
EpochResult FieldTrainer<Scalar>::run_epoch(const EpochPosition& from, const StopRequested& stop,
                                            const BatchObserver& observe) {
  Kokkos::Timer timer;
  const double lr = learning_rate(epoch_, 0);  // the epoch's (cosine_step: its first batch's)
  const std::size_t batches = batches_per_epoch();
  if (from.next_batch > batches)
    throw std::logic_error("run_epoch: the epoch has no batch " + std::to_string(from.next_batch));
  EpochResult result;
  result.position = from;
  std::size_t trained = 0;
  auto stats = [&]() {
    EpochStats s;
    s.epoch = epoch_;
    s.lr = lr;
    s.loss = result.position.loss_sum / double(batches);
    s.seconds = timer.seconds();
    s.samples_per_second = s.seconds > 0 ? double(trained) / s.seconds : 0.0;
    return s;
  };
  for (std::size_t b = from.next_batch; b < batches; ++b) {
    const std::size_t first = b * train_.batch_size;
    const std::size_t count = std::min(train_.batch_size, samples_.size() - first);
    const double batch_lr = train_.schedule == Schedule::cosine_epoch ? lr : learning_rate(epoch_, b);
    const double loss = train_step(first, count, batch_lr);
    result.position.loss_sum += loss;
    result.position.next_batch = b + 1;
    trained += count;
    if (!std::isfinite(loss)) {
      Kokkos::fence();
      result.diverged = true;
      result.diverged_lr = batch_lr;
      result.stats = stats();
      result.stats.epoch = epoch_ + 1;
      return result;
    }
    if (observe) {
      BatchProgress p;
      p.epoch = epoch_ + 1;
      p.epochs = train_.epochs;
      p.batch = b + 1;
      p.batches = batches;
      p.mean_loss = result.position.loss_sum / double(b + 1);
      p.seconds = timer.seconds();
      p.samples = trained;
      observe(p);
    }
    if (stop && stop()) {
      Kokkos::fence();
      result.stats = stats();
      result.stats.epoch = epoch_ + 1;
      return result;
    }
  }
  Kokkos::fence();
  ++epoch_;
  result.finished = true;
  result.stats = stats();
  return result;
}

template class FieldTrainer<float>;
template class FieldTrainer<double>;

}  // namespace mcinr
