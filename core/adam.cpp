#include "mcinr/core/adam.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mcinr/core/math.hpp"

namespace mcinr {

template <class Scalar>
Adam<Scalar>::Adam(std::size_t size, AdamConfig config)
    : config_(config), m_("adam_first_moment", size), v_("adam_second_moment", size) {
  if (!(config.lr > 0) || !(config.beta1 >= 0 && config.beta1 < 1) || !(config.beta2 >= 0 && config.beta2 < 1) ||
      !(config.eps > 0))
    throw std::invalid_argument("Adam: lr and eps must be positive and betas in [0, 1)");
}

template <class Scalar> void Adam<Scalar>::step(Vector<Scalar> params, ConstVectorRef<Scalar> grads, double lr) {
  if (params.extent(0) != m_.extent(0) || grads.extent(0) != m_.extent(0))
    throw std::logic_error("Adam::step: buffer sizes differ");
  ++steps_;
  const double t = double(steps_);
  const double bias1 = 1.0 - std::pow(config_.beta1, t);
  const double bias2 = 1.0 - std::pow(config_.beta2, t);
  const Scalar b1 = Scalar(config_.beta1), b2 = Scalar(config_.beta2);
  const Scalar one_minus_b1 = Scalar(1.0 - config_.beta1), one_minus_b2 = Scalar(1.0 - config_.beta2);
  const Scalar step_size = Scalar(lr / bias1);
  const Scalar inv_sqrt_bias2 = Scalar(1.0 / std::sqrt(bias2));
  const Scalar eps = Scalar(config_.eps);
  // Each work item updates a run of `width` consecutive entries through
  // restrict-qualified pointers: host compilers then vectorise the run (sqrt
  // and division dominate), and on GPUs a warp still reads contiguous memory.
  constexpr std::size_t width = 8;
  const std::size_t n = params.extent(0);
  Scalar* const p_data = params.data();
  Scalar* const m_data = m_.data();
  Scalar* const v_data = v_.data();
  const Scalar* const g_data = grads.data();
  Kokkos::parallel_for(
      "mcinr::adam_step", Kokkos::RangePolicy<ExecSpace>(0, (n + width - 1) / width),
      KOKKOS_LAMBDA(const std::size_t chunk) {
        const std::size_t begin = chunk * width;
        Scalar* KOKKOS_RESTRICT p = p_data + begin;
        Scalar* KOKKOS_RESTRICT m = m_data + begin;
        Scalar* KOKKOS_RESTRICT v = v_data + begin;
        const Scalar* KOKKOS_RESTRICT g = g_data + begin;
        auto update = [&](std::size_t k) {
          const Scalar gi = g[k];
          const Scalar mi = b1 * m[k] + one_minus_b1 * gi;
          const Scalar vi = b2 * v[k] + one_minus_b2 * gi * gi;
          m[k] = mi;
          v[k] = vi;
          p[k] -= step_size * mi / (math::sqrt(vi) * inv_sqrt_bias2 + eps);
        };
        if (begin + width <= n) {
          for (std::size_t k = 0; k < width; ++k) update(k);
        } else {
          for (std::size_t k = 0; begin + k < n; ++k) update(k);
        }
      });
}

template <class Scalar>
void Adam<Scalar>::step_rows(Vector<Scalar> params, ConstVectorRef<Scalar> grads,
                             Kokkos::View<const std::uint32_t*, MemSpace> rows, int width, double lr) {
  if (params.extent(0) != m_.extent(0) || grads.extent(0) != m_.extent(0) || width < 1)
    throw std::logic_error("Adam::step_rows: buffer sizes differ");
  ++steps_;
  const double t = double(steps_);
  const double bias1 = 1.0 - std::pow(config_.beta1, t);
  const double bias2 = 1.0 - std::pow(config_.beta2, t);
  const Scalar b1 = Scalar(config_.beta1), b2 = Scalar(config_.beta2);
  const Scalar one_minus_b1 = Scalar(1.0 - config_.beta1), one_minus_b2 = Scalar(1.0 - config_.beta2);
  const Scalar step_size = Scalar(lr / bias1);
  const Scalar inv_sqrt_bias2 = Scalar(1.0 / std::sqrt(bias2));
  const Scalar eps = Scalar(config_.eps);
  const Vector<Scalar> m = m_, v = v_;
  Kokkos::parallel_for(
      "mcinr::adam_step_rows", Kokkos::RangePolicy<ExecSpace>(0, rows.extent(0) * std::size_t(width)),
      KOKKOS_LAMBDA(const std::size_t r) {
        const std::size_t k = std::size_t(rows(r / width)) * width + r % width;
        const Scalar gi = grads(k);
        const Scalar mi = b1 * m(k) + one_minus_b1 * gi;
        const Scalar vi = b2 * v(k) + one_minus_b2 * gi * gi;
        m(k) = mi;
        v(k) = vi;
        params(k) -= step_size * mi / (math::sqrt(vi) * inv_sqrt_bias2 + eps);
      });
}

double cosine_learning_rate(double lr0, int epoch, int epochs) {
  if (epochs <= 0) throw std::invalid_argument("cosine schedule needs at least one epoch");
  return lr0 * (1.0 + std::cos(3.141592653589793238462643383279502884 * double(epoch) / double(epochs))) / 2.0;
}

double cosine_step_rate(double lr0, std::uint64_t step, std::uint64_t total, std::uint64_t constant) {
  const std::uint64_t flat = std::min(constant, total);
  if (step < flat) return lr0;
  const double progress = double(std::min(step, total) - flat) / double(std::max<std::uint64_t>(1, total - flat));
  return lr0 * (1.0 + std::cos(3.141592653589793238462643383279502884 * progress)) / 2.0;
}

std::uint64_t replanned_constant_steps(std::uint64_t total, std::uint64_t constant, std::uint64_t done,
                                       std::uint64_t new_total) {
  if (done <= constant || total <= constant) return std::min(constant, done);  // still flat: nothing to keep
  const double progress = std::min(1.0, double(done - constant) / double(total - constant));
  if (progress >= 1.0 || new_total <= done) return done;
  const double flat = (double(done) - progress * double(new_total)) / (1.0 - progress);
  return std::uint64_t(std::clamp(std::round(flat), 0.0, double(done)));
}

template class Adam<float>;
template class Adam<double>;

}  // namespace mcinr
