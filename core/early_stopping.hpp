#pragma once
// The reference's MI stopping rule, for fits without ground truth: keep the
// last 4 values of MI(pred1, pred2); d = mean of their 3 absolute
// consecutive differences; stop when |d - d_prev| < tolerance (1e-4),
// otherwise d_prev = d. The first full window only sets d_prev.
#include <cmath>
#include <deque>

namespace mcinr {

class MiEarlyStopping {
 public:
  explicit MiEarlyStopping(double tolerance = 1e-4) : tolerance_(tolerance) {}

  // Adds this epoch's MI; returns true when the fit should stop.
  bool update(double mi) {
    window_.push_back(mi);
    if (window_.size() > 4) window_.pop_front();
    if (window_.size() < 4) return false;
    const double d =
        (std::abs(window_[1] - window_[0]) + std::abs(window_[2] - window_[1]) + std::abs(window_[3] - window_[2])) /
        3.0;
    const bool stop = has_previous_ && std::abs(d - previous_) < tolerance_;
    previous_ = d;
    has_previous_ = true;
    return stop;
  }

  const std::deque<double>& window() const { return window_; }
  double previous() const { return previous_; }
  bool has_previous() const { return has_previous_; }
  // For checkpoints: the whole state.
  void restore(std::deque<double> window, double previous, bool has_previous) {
    window_ = std::move(window);
    previous_ = previous;
    has_previous_ = has_previous;
  }

 private:
  double tolerance_;
  std::deque<double> window_;
  double previous_ = 0;
  bool has_previous_ = false;
};

}  // namespace mcinr
