#include "mcinr/core/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mcinr/core/math.hpp"
#include "mcinr/core/random.hpp"

namespace mcinr {

Architecture parse_architecture(const std::string& name) {
  if (name == "split-head" || name == "split_head") return Architecture::split_head;
  if (name == "vanilla") return Architecture::vanilla;
  if (name == "single") return Architecture::single;
  throw std::invalid_argument("unknown model '" + name + "' (expected split-head, vanilla or single)");
}

std::string to_string(Architecture architecture) {
  switch (architecture) {
    case Architecture::split_head:
      return "split-head";
    case Architecture::vanilla:
      return "vanilla";
    case Architecture::single:
      return "single";
  }
  return "unknown";
}

void MlpConfig::validate() const {
  if (input_dim <= 0) throw std::invalid_argument("MLP input width must be positive");
  if (hidden <= 0 || hidden > 16384) throw std::invalid_argument("--hidden must be between 1 and 16384");
  if (layers < 0 || layers > 64) throw std::invalid_argument("--layers must be between 0 and 64");
  if (architecture == Architecture::split_head && (head_hidden <= 0 || head_hidden > 16384))
    throw std::invalid_argument("--head-hidden must be between 1 and 16384");
  if (architecture == Architecture::single && contrasts != 1)
    throw std::invalid_argument("the single-contrast model has exactly one contrast");
  if (architecture != Architecture::single && (contrasts < 1 || contrasts > 8))
    throw std::invalid_argument("contrasts must be between 1 and 8");
}

ParameterLayout::ParameterLayout(const MlpConfig& config) {
  config.validate();
  auto add = [this](int in, int out, bool relu, std::string name) {
    DenseLayer layer;
    layer.in = in;
    layer.out = out;
    layer.relu = relu;
    layer.name = std::move(name);
    layer.weight_offset = size;
    size += std::size_t(in) * out;
    layer.bias_offset = size;
    size += out;
    return layer;
  };
  trunk.push_back(add(config.input_dim, config.hidden, true, "trunk.0"));
  for (int l = 0; l < config.layers; ++l)
    trunk.push_back(add(config.hidden, config.hidden, true, "trunk." + std::to_string(l + 1)));
  switch (config.architecture) {
    case Architecture::split_head:
      for (int c = 0; c < config.contrasts; ++c) {
        const std::string prefix = "heads." + std::to_string(c) + ".";
        heads.push_back({add(config.hidden, config.head_hidden, true, prefix + "0"),
                         add(config.head_hidden, 1, false, prefix + "1")});
      }
      break;
    case Architecture::vanilla:
      heads.push_back({add(config.hidden, config.contrasts, false, "out")});
      break;
    case Architecture::single:
      heads.push_back({add(config.hidden, 1, false, "out")});
      break;
  }
}

std::vector<const DenseLayer*> ParameterLayout::all() const {
  std::vector<const DenseLayer*> result;
  for (const auto& layer : trunk) result.push_back(&layer);
  for (const auto& head : heads)
    for (const auto& layer : head) result.push_back(&layer);
  return result;
}

BatchSplit::BatchSplit(std::vector<std::size_t> bounds) : bounds_(std::move(bounds)) {
  if (bounds_.size() < 2) throw std::logic_error("BatchSplit needs at least one contrast");
  for (std::size_t c = 1; c < bounds_.size(); ++c)
    if (bounds_[c] < bounds_[c - 1]) throw std::logic_error("BatchSplit bounds must not decrease");
  if (bounds_.front() != 0) throw std::logic_error("BatchSplit must start at column 0");
}

BatchSplit BatchSplit::whole(std::size_t n, int contrasts) {
  std::vector<std::size_t> bounds(contrasts + 1, n);
  bounds[0] = 0;
  BatchSplit split(bounds);
  split.whole_ = true;
  return split;
}

BatchSplit BatchSplit::counts(const std::vector<std::size_t>& per_contrast) {
  std::vector<std::size_t> bounds(1, 0);
  for (auto n : per_contrast) bounds.push_back(bounds.back() + n);
  return BatchSplit(bounds);
}

template <class Scalar>
Mlp<Scalar>::Mlp(const MlpConfig& config, std::size_t capacity, backends::GemmProvider gemm)
    : gemm_(std::move(gemm)), config_(config), capacity_(capacity) {
  if (config_.architecture == Architecture::single) config_.contrasts = 1;
  layout_ = ParameterLayout(config_);
  if (capacity == 0) throw std::logic_error("Mlp: batch capacity must be positive");
  params_ = Vector<Scalar>("mlp_parameters", layout_.size);
  grads_ = Vector<Scalar>("mlp_gradients", layout_.size);
  for (std::size_t l = 0; l < layout_.trunk.size(); ++l)
    trunk_act_.push_back(Vector<Scalar>("trunk_activation", std::size_t(config_.hidden) * capacity));
  if (config_.architecture == Architecture::split_head) {
    for (int c = 0; c < config_.contrasts; ++c)
      head_act_.push_back(Vector<Scalar>("head_activation", std::size_t(config_.head_hidden) * capacity));
    grad_head_ = Vector<Scalar>("head_gradient", std::size_t(config_.head_hidden) * capacity);
  }
  output_ = Vector<Scalar>("mlp_output", std::size_t(config_.contrasts) * capacity);
  // The input layer's gradient goes to the caller's buffer: these only hold H-wide gradients.
  grad_a_ = Vector<Scalar>("gradient_a", std::size_t(config_.hidden) * capacity);
  grad_b_ = Vector<Scalar>("gradient_b", std::size_t(config_.hidden) * capacity);
  if (config_.architecture == Architecture::vanilla) {
    ones_ = Vector<Scalar>("ones", capacity);
    Kokkos::deep_copy(ones_, Scalar(1));
  }
}

template <class Scalar> void Mlp<Scalar>::initialize(std::uint64_t seed) {
  const Vector<Scalar> params = params_;
  for (const DenseLayer* layer : layout_.all()) {
    const double bound = 1.0 / std::sqrt(double(layer->in));
    const std::size_t begin = layer->weight_offset;
    const std::size_t end = layer->bias_offset + layer->out;  // weight then bias, contiguous
    const std::uint64_t stream = static_cast<std::uint64_t>(random::Stream::weights);
    Kokkos::parallel_for(
        "mcinr::mlp_initialize", Kokkos::RangePolicy<ExecSpace>(begin, end), KOKKOS_LAMBDA(const std::size_t k) {
          params(k) = static_cast<Scalar>((2.0 * random::uniform(seed, stream, k) - 1.0) * bound);
        });
  }
  Kokkos::deep_copy(grads_, Scalar(0));
}

template <class Scalar> MatrixRef<Scalar> Mlp<Scalar>::weight(const DenseLayer& layer) const {
  return MatrixRef<Scalar>(params_.data() + layer.weight_offset, layer.out, layer.in);
}
template <class Scalar> VectorRef<Scalar> Mlp<Scalar>::bias(const DenseLayer& layer) const {
  return VectorRef<Scalar>(params_.data() + layer.bias_offset, layer.out);
}
template <class Scalar> MatrixRef<Scalar> Mlp<Scalar>::weight_gradient(const DenseLayer& layer) const {
  return MatrixRef<Scalar>(grads_.data() + layer.weight_offset, layer.out, layer.in);
}
template <class Scalar> VectorRef<Scalar> Mlp<Scalar>::bias_gradient(const DenseLayer& layer) const {
  return VectorRef<Scalar>(grads_.data() + layer.bias_offset, layer.out);
}

template <class Scalar>
MatrixRef<Scalar> Mlp<Scalar>::workspace(const Vector<Scalar>& buffer, int rows, std::size_t n) const {
  return MatrixRef<Scalar>(buffer.data(), rows, n);
}

template <class Scalar> MatrixRef<Scalar> Mlp<Scalar>::output() const {
  return MatrixRef<Scalar>(output_.data(), n_, config_.contrasts);
}

namespace {

// grad = activation > 0 ? grad : 0, elementwise over two same-shaped matrices.
template <class Scalar> void relu_backward(ConstMatrixRef<Scalar> activation, MatrixRef<Scalar> grad) {
  const std::size_t count = grad.extent(0) * grad.extent(1);
  const Scalar* a = activation.data();
  Scalar* g = grad.data();
  Kokkos::parallel_for(
      "mcinr::relu_backward", Kokkos::RangePolicy<ExecSpace>(0, count),
      KOKKOS_LAMBDA(const std::size_t k) { g[k] = a[k] > Scalar(0) ? g[k] : Scalar(0); });
}

// Columns [begin, end) of a row vector stored contiguously: a 1 x n matrix.
template <class T>
Kokkos::View<T**, Kokkos::LayoutLeft, MemSpace, Kokkos::MemoryUnmanaged> row_window(T* data, std::size_t begin,
                                                                                    std::size_t end) {
  return Kokkos::View<T**, Kokkos::LayoutLeft, MemSpace, Kokkos::MemoryUnmanaged>(data + begin, 1, end - begin);
}

}  // namespace

template <class Scalar>
void Mlp<Scalar>::dense_forward(const DenseLayer& layer, ConstMatrixRef<Scalar> x, MatrixRef<Scalar> z) const {
  gemm_.dense_forward(weight(layer), bias(layer), x, z,
                      layer.relu ? backends::Activation::relu : backends::Activation::none);
}

// dz is the gradient at the layer's pre-activation (already masked by ReLU').
template <class Scalar>
void Mlp<Scalar>::dense_backward(const DenseLayer& layer, ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> dz,
                                 MatrixRef<Scalar> dx, Scalar dx_beta) const {
  gemm_.dense_backward(weight(layer), x, dz, weight_gradient(layer), bias_gradient(layer), dx, dx_beta);
}

template <class Scalar>
void Mlp<Scalar>::forward(ConstMatrixRef<Scalar> input, const BatchSplit& split, bool skip_other_heads) {
  const std::size_t n = input.extent(1);
  if (input.extent(0) != std::size_t(config_.input_dim))
    throw std::logic_error("Mlp::forward: input has " + std::to_string(input.extent(0)) + " rows, expected " +
                           std::to_string(config_.input_dim));
  if (n > capacity_) throw std::logic_error("Mlp::forward: batch larger than the capacity");
  if (split.size() != n || split.contrasts() != config_.contrasts)
    throw std::logic_error("Mlp::forward: batch split does not match the batch");
  n_ = n;
  const bool skip = skip_other_heads && !split.is_whole();

  ConstMatrixRef<Scalar> x = input;
  for (std::size_t l = 0; l < layout_.trunk.size(); ++l) {
    const MatrixRef<Scalar> a = workspace(trunk_act_[l], config_.hidden, n);
    dense_forward(layout_.trunk[l], x, a);
    x = a;
  }
  const ConstMatrixRef<Scalar> top = x;
  Scalar* y = output_.data();
  if (config_.architecture == Architecture::vanilla) {
    // Y (n x C) = A^T W^T, so that each contrast's output is a contiguous column.
    const DenseLayer& out = layout_.heads[0][0];
    const MatrixRef<Scalar> y_mat(y, n, config_.contrasts);
    gemm_.gemm('T', 'T', Scalar(1), top, weight(out), Scalar(0), y_mat);
    const VectorRef<Scalar> b = bias(out);
    Kokkos::parallel_for(
        "mcinr::vanilla_bias", Kokkos::RangePolicy<ExecSpace>(0, n * config_.contrasts),
        KOKKOS_LAMBDA(const std::size_t k) { y[k] += b(k / n); });
    return;
  }
  for (int c = 0; c < config_.contrasts; ++c) {
    const std::size_t begin = skip ? split.begin(c) : 0, end = skip ? split.end(c) : n;
    if (begin == end) continue;
    const auto& head = layout_.heads[c];
    ConstMatrixRef<Scalar> h = columns(top, begin, end);
    if (head.size() == 2) {
      const MatrixRef<Scalar> hidden = columns(workspace(head_act_[c], config_.head_hidden, n), begin, end);
      dense_forward(head[0], h, hidden);
      h = hidden;
    }
    dense_forward(head.back(), h, row_window(y + c * n, begin, end));
  }
}

template <class Scalar>
void Mlp<Scalar>::backward(ConstMatrixRef<Scalar> input, ConstMatrixRef<Scalar> d_output, const BatchSplit& split,
                           bool skip_other_heads, MatrixRef<Scalar> d_input) {
  const std::size_t n = n_;
  if (input.extent(1) != n || d_output.extent(0) != n || d_output.extent(1) != std::size_t(config_.contrasts))
    throw std::logic_error("Mlp::backward: shapes do not match the last forward");
  if (d_input.extent(0) > 0 && (d_input.extent(0) != input.extent(0) || d_input.extent(1) != n))
    throw std::logic_error("Mlp::backward: d_input shape mismatch");
  const bool skip = skip_other_heads && !split.is_whole();
  const std::size_t last = layout_.trunk.size() - 1;
  const ConstMatrixRef<Scalar> top = workspace(trunk_act_[last], config_.hidden, n);
  MatrixRef<Scalar> d_top = workspace(grad_a_, config_.hidden, n);
  const Scalar* dy = d_output.data();

  if (config_.architecture == Architecture::vanilla) {
    const DenseLayer& out = layout_.heads[0][0];
    const ConstMatrixRef<Scalar> ones(ones_.data(), n, 1);
    const MatrixRef<Scalar> db(grads_.data() + out.bias_offset, out.out, 1);
    gemm_.gemm('T', 'T', Scalar(1), d_output, top, Scalar(0), weight_gradient(out));
    gemm_.gemm('T', 'N', Scalar(1), d_output, ones, Scalar(0), db);
    gemm_.gemm('T', 'T', Scalar(1), weight(out), d_output, Scalar(0), d_top);
  } else {
    bool first = true;
    for (int c = 0; c < config_.contrasts; ++c) {
      const std::size_t begin = skip ? split.begin(c) : 0, end = skip ? split.end(c) : n;
      const auto& head = layout_.heads[c];
      if (begin == end) {
        // No sample of this contrast: its head gets zero gradients.
        for (const auto& layer : head)
          Kokkos::deep_copy(
              Kokkos::subview(grads_, Kokkos::make_pair(layer.weight_offset, layer.bias_offset + layer.out)),
              Scalar(0));
        continue;
      }
      const ConstMatrixRef<Scalar> dy_c = row_window(dy + c * n, begin, end);
      const MatrixRef<Scalar> d_top_c = columns(d_top, begin, end);
      // In skip mode heads write disjoint columns; otherwise they add up.
      const Scalar beta = (skip || first) ? Scalar(0) : Scalar(1);
      first = false;
      if (head.size() == 2) {
        const ConstMatrixRef<Scalar> hidden = columns(workspace(head_act_[c], config_.head_hidden, n), begin, end);
        const MatrixRef<Scalar> d_hidden = columns(workspace(grad_head_, config_.head_hidden, n), begin, end);
        dense_backward(head[1], hidden, dy_c, d_hidden, Scalar(0));
        relu_backward<Scalar>(hidden, d_hidden);
        dense_backward(head[0], columns(top, begin, end), d_hidden, d_top_c, beta);
      } else {
        dense_backward(head[0], columns(top, begin, end), dy_c, d_top_c, beta);
      }
    }
  }

  // Trunk, top to bottom; grad_a_ / grad_b_ alternate as dA of the layer above.
  MatrixRef<Scalar> d_a = d_top;
  for (std::size_t l = last + 1; l-- > 0;) {
    const DenseLayer& layer = layout_.trunk[l];
    relu_backward<Scalar>(workspace(trunk_act_[l], config_.hidden, n), d_a);  // now dZ
    const ConstMatrixRef<Scalar> x =
        l == 0 ? input : ConstMatrixRef<Scalar>(workspace(trunk_act_[l - 1], config_.hidden, n));
    MatrixRef<Scalar> d_x;
    if (l > 0)
      d_x = workspace(d_a.data() == grad_a_.data() ? grad_b_ : grad_a_, config_.hidden, n);
    else
      d_x = d_input;
    dense_backward(layer, x, d_a, d_x, Scalar(0));
    d_a = d_x;
  }
}

template <class Scalar>
FlopCount Mlp<Scalar>::flops(const BatchSplit& split, bool skip_other_heads, bool input_gradient) const {
  const bool skip = skip_other_heads && !split.is_whole();
  const double n = double(split.size());
  FlopCount count;
  for (std::size_t l = 0; l < layout_.trunk.size(); ++l) {
    const double mac = n * layout_.trunk[l].in * layout_.trunk[l].out;
    count.forward += 2 * mac;
    count.backward += 2 * mac * ((l > 0 || input_gradient) ? 2 : 1);
  }
  for (std::size_t c = 0; c < layout_.heads.size(); ++c) {
    const double cols = (skip && config_.architecture != Architecture::vanilla) ? double(split.count(int(c))) : n;
    for (const auto& layer : layout_.heads[c]) {
      const double mac = cols * layer.in * layer.out;
      count.forward += 2 * mac;
      count.backward += 4 * mac;
    }
  }
  return count;
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace mcinr
