#include "core/adam.hpp"

#include <cmath>
#include <stdexcept>

#include "core/math.hpp"

namespace mcinr {

template <class Scalar>
Adam<Scalar>::Adam(std::size_t size, AdamConfig config)
    : config_(config), m_("adam_first_moment", size), v_("adam_second_moment", size) {
  if (!(config.lr > 0) || !(config.beta1 >= 0 && config.beta1 < 1) || !(config.beta2 >= 0 && config.beta2 < 1) ||
      !(config.eps > 0))
    throw std::invalid_argument("Adam: lr and eps must be positive and betas in [0, 1)");
}

template <class Scalar>
void Adam<Scalar>::step(Vector<Scalar> params, ConstVectorRef<Scalar> grads, double lr) {
  if (params.extent(0) != m_.extent(0) || grads.extent(0) != m_.extent(0))
    throw std::invalid_argument("Adam::step: buffer sizes differ");
  ++steps_;
  const double t = double(steps_);
  const double bias1 = 1.0 - std::pow(config_.beta1, t);
  const double bias2 = 1.0 - std::pow(config_.beta2, t);
  const Scalar b1 = Scalar(config_.beta1), b2 = Scalar(config_.beta2);
  const Scalar one_minus_b1 = Scalar(1.0 - config_.beta1), one_minus_b2 = Scalar(1.0 - config_.beta2);
  const Scalar step_size = Scalar(lr / bias1);
  const Scalar sqrt_bias2 = Scalar(std::sqrt(bias2));
  const Scalar eps = Scalar(config_.eps);
  const Vector<Scalar> m = m_, v = v_;
  Kokkos::parallel_for(
      "mcinr::adam_step", Kokkos::RangePolicy<ExecSpace>(0, params.extent(0)), KOKKOS_LAMBDA(const std::size_t i) {
        const Scalar g = grads(i);
        const Scalar mi = b1 * m(i) + one_minus_b1 * g;
        const Scalar vi = b2 * v(i) + one_minus_b2 * g * g;
        m(i) = mi;
        v(i) = vi;
        params(i) -= step_size * mi / (math::sqrt(vi) / sqrt_bias2 + eps);
      });
}

double cosine_learning_rate(double lr0, int epoch, int epochs) {
  if (epochs <= 0) throw std::invalid_argument("cosine schedule needs at least one epoch");
  return lr0 * (1.0 + std::cos(3.141592653589793238462643383279502884 * double(epoch) / double(epochs))) / 2.0;
}

template class Adam<float>;
template class Adam<double>;

}  // namespace mcinr
