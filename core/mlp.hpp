#pragma once
// The field's MLP: ReLU trunk plus one output per contrast, in the three
// shapes of the reference:
//   split_head: trunk, then per contrast Linear(H -> Hh) + ReLU -> Linear(Hh -> 1)
//   vanilla:    trunk, then one Linear(H -> C)
//   single:     trunk, then Linear(H -> 1), one contrast
// The trunk is Linear(in -> H) + ReLU followed by `layers` blocks of
// Linear(H -> H) + ReLU (paper: in 512, H 1024, 4 blocks, Hh 512).
//
// Parameters and gradients each live in one flat device View, in PyTorch's
// state_dict order (weight then bias, trunk first, then heads); each layer's
// weight (out x in, column-major) and bias are windows into it.
//
// A batch is a set of columns partitioned by contrast: the columns of
// contrast c are [split.begin(c), split.end(c)). With head skipping, head c
// only sees its own columns; its output elsewhere is left undefined and its
// gradient ignored. Without it, every head sees every column and the caller's
// d_output must be zero where a sample is not of that contrast.
#include <cstdint>
#include <string>
#include <vector>

#include "mcinr/backends/gemm.hpp"
#include "mcinr/backends/types.hpp"

namespace mcinr {

enum class Architecture { split_head, vanilla, single };

Architecture parse_architecture(const std::string& name);  // "split-head", "vanilla", "single"
std::string to_string(Architecture architecture);

struct MlpConfig {
  Architecture architecture = Architecture::split_head;
  int input_dim = 512;    // 2 x Fourier features
  int hidden = 1024;      // trunk width H
  int layers = 4;         // Linear(H -> H) blocks after the input layer
  int head_hidden = 512;  // split_head only
  int contrasts = 2;      // forced to 1 for single

  void validate() const;  // throws std::invalid_argument with a clear message
};

// One Linear layer's place in the flat parameter buffer.
struct DenseLayer {
  std::size_t weight_offset = 0;  // out x in, column-major
  std::size_t bias_offset = 0;    // out
  int in = 0;
  int out = 0;
  bool relu = false;
  std::string name;  // PyTorch-style, e.g. "trunk.0", "heads.1.0"
};

struct ParameterLayout {
  std::vector<DenseLayer> trunk;               // layers + 1
  std::vector<std::vector<DenseLayer>> heads;  // split_head/single: per contrast; vanilla: one shared head
  std::size_t size = 0;                        // total number of scalars

  explicit ParameterLayout(const MlpConfig& config);
  ParameterLayout() = default;
  std::vector<const DenseLayer*> all() const;  // state_dict order
};

// Column ranges of a batch, one per contrast.
class BatchSplit {
 public:
  BatchSplit() = default;
  explicit BatchSplit(std::vector<std::size_t> bounds);   // bounds.size() = contrasts + 1
  static BatchSplit whole(std::size_t n, int contrasts);  // every column in every contrast (inference)
  static BatchSplit counts(const std::vector<std::size_t>& per_contrast);

  int contrasts() const { return static_cast<int>(bounds_.size()) - 1; }
  std::size_t begin(int c) const { return whole_ ? 0 : bounds_[c]; }
  std::size_t end(int c) const { return whole_ ? bounds_.back() : bounds_[c + 1]; }
  std::size_t count(int c) const { return end(c) - begin(c); }
  std::size_t size() const { return bounds_.empty() ? 0 : bounds_.back(); }
  bool is_whole() const { return whole_; }

 private:
  std::vector<std::size_t> bounds_;
  bool whole_ = false;
};

// Matrix products of one step, counted the way the step really does them
// (for the bench): forward, weight gradients, input gradients.
struct FlopCount {
  double forward = 0, backward = 0;
  double total() const { return forward + backward; }
};

template <class Scalar> class Mlp {
 public:
  Mlp() = default;
  // capacity: the largest batch forward() will see. The matrix products run
  // through the given GEMM provider (the configured one by default).
  Mlp(const MlpConfig& config, std::size_t capacity, backends::GemmProvider gemm = backends::GemmProvider());

  const MlpConfig& config() const { return config_; }
  const ParameterLayout& layout() const { return layout_; }
  std::size_t parameter_count() const { return layout_.size; }
  std::size_t capacity() const { return capacity_; }
  int contrasts() const { return config_.contrasts; }

  // PyTorch nn.Linear default initialisation: weight and bias uniform in
  // +-1/sqrt(fan_in), from the counter-based generator (same on every backend).
  void initialize(std::uint64_t seed);

  Vector<Scalar> parameters() const { return params_; }
  Vector<Scalar> gradients() const { return grads_; }
  MatrixRef<Scalar> weight(const DenseLayer& layer) const;
  VectorRef<Scalar> bias(const DenseLayer& layer) const;
  MatrixRef<Scalar> weight_gradient(const DenseLayer& layer) const;
  VectorRef<Scalar> bias_gradient(const DenseLayer& layer) const;

  // input: in x n. After it, output() is n x contrasts (column c = head c).
  void forward(ConstMatrixRef<Scalar> input, const BatchSplit& split, bool skip_other_heads = true);
  MatrixRef<Scalar> output() const;

  // d_output: n x contrasts. Writes every parameter gradient (overwrites).
  // d_input (in x n) is written when it has extents; pass an empty view to skip.
  void backward(ConstMatrixRef<Scalar> input, ConstMatrixRef<Scalar> d_output, const BatchSplit& split,
                bool skip_other_heads, MatrixRef<Scalar> d_input);

  FlopCount flops(const BatchSplit& split, bool skip_other_heads, bool input_gradient) const;

 private:
  MatrixRef<Scalar> workspace(const Vector<Scalar>& buffer, int rows, std::size_t n) const;
  void dense_forward(const DenseLayer& layer, ConstMatrixRef<Scalar> x, MatrixRef<Scalar> z) const;
  void dense_backward(const DenseLayer& layer, ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> dz,
                      MatrixRef<Scalar> dx, Scalar dx_beta) const;

  backends::GemmProvider gemm_;
  MlpConfig config_;
  ParameterLayout layout_;
  std::size_t capacity_ = 0;
  std::size_t n_ = 0;  // columns of the last forward
  Vector<Scalar> params_, grads_;
  std::vector<Vector<Scalar>> trunk_act_;  // per trunk layer: H x n (post-ReLU)
  std::vector<Vector<Scalar>> head_act_;   // split_head: per contrast, Hh x n (post-ReLU)
  Vector<Scalar> output_;                  // n x contrasts
  Vector<Scalar> grad_a_, grad_b_;         // ping-pong gradient buffers, H x n
  Vector<Scalar> grad_head_;               // Hh x n
  Vector<Scalar> ones_;                    // vanilla head: n ones, its bias gradient as a GEMV
};

extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace mcinr
