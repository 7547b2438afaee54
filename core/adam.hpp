#pragma once
// Adam (Kingma & Ba), exactly as torch.optim.Adam without weight decay or
// amsgrad, as one fused kernel over the flat parameter, gradient and moment
// buffers:
//   m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
#include <cstdint>

#include "mcinr/backends/types.hpp"

namespace mcinr {

struct AdamConfig {
  double lr = 4e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

template <class Scalar> class Adam {
 public:
  Adam() = default;
  Adam(std::size_t size, AdamConfig config = {});

  // One update with learning rate lr (the schedule's value for this epoch).
  void step(Vector<Scalar> params, ConstVectorRef<Scalar> grads, double lr);

  // The same update on the given rows only (a row is `width` consecutive
  // entries), as for embedding tables ("lazy" Adam): other rows keep their
  // parameters and moments; the bias correction counts every step.
  void step_rows(Vector<Scalar> params, ConstVectorRef<Scalar> grads,
                 Kokkos::View<const std::uint32_t*, MemSpace> rows, int width, double lr);

  std::uint64_t steps() const { return steps_; }
  void set_steps(std::uint64_t steps) { steps_ = steps; }
  Vector<Scalar> first_moment() const { return m_; }
  Vector<Scalar> second_moment() const { return v_; }
  const AdamConfig& config() const { return config_; }

 private:
  AdamConfig config_;
  std::uint64_t steps_ = 0;
  Vector<Scalar> m_, v_;
};

extern template class Adam<float>;
extern template class Adam<double>;

// Cosine annealing per epoch (torch CosineAnnealingLR, eta_min 0):
//   lr_e = lr0 (1 + cos(pi e / E)) / 2, e = 0 .. E-1.
double cosine_learning_rate(double lr0, int epoch, int epochs);

// Cosine annealing per step: lr0 for steps before `constant`, then falling
// to 0 at step `total` (and 0 after it).
double cosine_step_rate(double lr0, std::uint64_t step, std::uint64_t total, std::uint64_t constant);

// A step plan (total, constant) moved to end at `new_total` from step `done`
// on: returns the constant steps that keep the cosine's progress at `done`,
// so the rate does not jump (clamped to [0, done]: a plan stretched so far
// that it would need fewer than 0 restarts the fall a little higher).
std::uint64_t replanned_constant_steps(std::uint64_t total, std::uint64_t constant, std::uint64_t done,
                                       std::uint64_t new_total);

}  // namespace mcinr
