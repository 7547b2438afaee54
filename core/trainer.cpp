#include "core/trainer.hpp"

#include <stdexcept>

#include "core/loss.hpp"
#include "core/random.hpp"

namespace mcinr {

namespace {
MlpConfig with_input(MlpConfig config, int fourier_features) {
  config.input_dim = 2 * fourier_features;
  return config;
}
}  // namespace

template <class Scalar>
FieldTrainer<Scalar>::FieldTrainer(const FieldConfig& field, const TrainConfig& train, SampleSet<Scalar> samples)
    : field_(field),
      train_(train),
      samples_(std::move(samples)),
      encoding_(field.fourier_features, field.fourier_scale, train.seed),
      mlp_(with_input(field.mlp, field.fourier_features), train.batch_size) {
  field_.mlp = mlp_.config();
  if (train_.batch_size == 0) throw std::invalid_argument("--batch-size must be positive");
  if (train_.epochs <= 0) throw std::invalid_argument("--epochs must be positive");
  if (samples_.size() == 0) throw std::invalid_argument("no training samples");
  if (samples_.coords.extent(0) != 3 || samples_.coords.extent(1) != samples_.size())
    throw std::invalid_argument("training coordinates must be 3 x samples");
  if (samples_.counts.size() != std::size_t(mlp_.contrasts()))
    throw std::invalid_argument("samples have " + std::to_string(samples_.counts.size()) +
                                " contrasts, the model " + std::to_string(mlp_.contrasts()));
  std::size_t total = 0;
  for (auto c : samples_.counts) total += c;
  if (total != samples_.size()) throw std::invalid_argument("per-contrast sample counts do not add up");
  mlp_.initialize(train_.seed);
  adam_ = Adam<Scalar>(mlp_.parameter_count(), train_.adam);
  const std::size_t b = train_.batch_size;
  order_ = Kokkos::View<std::uint64_t*, MemSpace>("batch_order", b);
  batch_coords_ = Matrix<Scalar>("batch_coords", 3, b);
  batch_values_ = Vector<Scalar>("batch_values", b);
  encoded_ = Vector<Scalar>("batch_encoding", std::size_t(encoding_.output_dim()) * b);
  d_output_ = Vector<Scalar>("batch_d_output", std::size_t(mlp_.contrasts()) * b);
}

template <class Scalar>
std::size_t FieldTrainer<Scalar>::batches_per_epoch() const {
  return (samples_.size() + train_.batch_size - 1) / train_.batch_size;
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

}  // namespace detail

template <class Scalar>
double FieldTrainer<Scalar>::train_step(std::size_t first, std::size_t count, double lr) {
  const random::Permutation perm(samples_.size(), train_.seed, std::uint64_t(epoch_));
  const BatchSplit split = BatchSplit::counts(
      detail::gather_batch(perm, samples_, first, count, order_, batch_coords_, batch_values_));
  const ConstMatrixRef<Scalar> coords = columns(batch_coords_, 0, count);
  const MatrixRef<Scalar> encoded(encoded_.data(), encoding_.output_dim(), count);
  encoding_.encode(coords, encoded);
  mlp_.forward(encoded, split, train_.skip_other_heads);
  const MatrixRef<Scalar> d_output(d_output_.data(), count, mlp_.contrasts());
  const double loss = masked_mse<Scalar>(mlp_.output(), Kokkos::subview(batch_values_, Kokkos::make_pair(std::size_t(0), count)),
                                         split, d_output);
  mlp_.backward(encoded, d_output, split, train_.skip_other_heads, MatrixRef<Scalar>());
  adam_.step(mlp_.parameters(), mlp_.gradients(), lr);
  return loss;
}

template <class Scalar>
bool predict_field(const FourierEncoding<Scalar>& encoding, Mlp<Scalar>& mlp, ConstMatrixRef<Scalar> coords,
                   MatrixRef<Scalar> out, StopRequested stop_requested) {
  const std::size_t total = coords.extent(1);
  const int contrasts = mlp.contrasts();
  if (coords.extent(0) != 3 || out.extent(0) != total || out.extent(1) != std::size_t(contrasts))
    throw std::invalid_argument("predict: coords must be 3 x N and out N x contrasts");
  const std::size_t chunk = mlp.capacity();
  Matrix<Scalar> encoded("predict_encoding", encoding.output_dim(), chunk);
  for (std::size_t begin = 0; begin < total; begin += chunk) {
    if (stop_requested && begin > 0 && stop_requested()) {
      Kokkos::fence();
      return false;
    }
    const std::size_t n = std::min(chunk, total - begin);
    const MatrixRef<Scalar> enc(encoded.data(), encoding.output_dim(), n);
    encoding.encode(columns(coords, begin, begin + n), enc);
    mlp.forward(enc, BatchSplit::whole(n, contrasts), false);
    const MatrixRef<Scalar> y = mlp.output();
    Kokkos::parallel_for(
        "mcinr::predict_copy", Kokkos::RangePolicy<ExecSpace>(0, n * contrasts), KOKKOS_LAMBDA(const std::size_t k) {
          const std::size_t j = k % n, c = k / n;
          out(begin + j, c) = y(j, c);
        });
  }
  Kokkos::fence();
  return true;
}

template <class Scalar>
bool FieldTrainer<Scalar>::predict(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out,
                                   StopRequested stop_requested) {
  return predict_field(encoding_, mlp_, coords, out, stop_requested);
}

template bool predict_field<float>(const FourierEncoding<float>&, Mlp<float>&, ConstMatrixRef<float>,
                                   MatrixRef<float>, StopRequested);
template bool predict_field<double>(const FourierEncoding<double>&, Mlp<double>&, ConstMatrixRef<double>,
                                    MatrixRef<double>, StopRequested);
template class FieldTrainer<float>;
template class FieldTrainer<double>;

}  // namespace mcinr
