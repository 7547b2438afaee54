// The MI stopping rule, worked by hand.
#include <catch2/catch.hpp>

#include "mcinr/core/early_stopping.hpp"
#include "mcinr/core/field_domain.hpp"

using namespace mcinr;

TEST_CASE("MI early stopping follows the reference rule", "[early-stopping]") {
  MiEarlyStopping rule;
  // Window 0.30 0.25 0.24 0.24: d = (0.05 + 0.01 + 0) / 3 = 0.02; first window, no stop.
  CHECK_FALSE(rule.update(0.30));
  CHECK_FALSE(rule.update(0.25));
  CHECK_FALSE(rule.update(0.24));
  CHECK_FALSE(rule.update(0.24));
  CHECK(rule.previous() == Approx(0.02));
  // Window 0.25 0.24 0.24 0.2399: d = (0.01 + 0 + 0.0001) / 3 = 0.003367; |d - 0.02| large.
  CHECK_FALSE(rule.update(0.2399));
  // Window 0.24 0.24 0.2399 0.2399: d = 0.0000333; |d - 0.003367| = 0.00333 > 1e-4.
  CHECK_FALSE(rule.update(0.2399));
  // Window 0.24 0.2399 0.2399 0.2399: d = 0.0000333; equal to the last d: stop.
  CHECK(rule.update(0.2399));
}

TEST_CASE("the field domain maps the training range to [-1, 1]", "[domain]") {
  const FieldDomain d = FieldDomain::from_range(-120, 80);  // a RAS range: z from [lo, hi], x and y from [-hi, -lo]
  CHECK(d.to_field(2, -120) == Approx(-1));
  CHECK(d.to_field(2, 80) == Approx(1));
  CHECK(d.to_field(2, -20) == Approx(0));
  for (int axis = 0; axis < 2; ++axis) {
    CHECK(d.to_field(axis, -80) == Approx(-1));
    CHECK(d.to_field(axis, 120) == Approx(1));
    CHECK(d.to_field(axis, 20) == Approx(0));
  }
  const FieldDomain lps = FieldDomain::from_range(-120, 80, false);  // checkpoints from before: every axis alike
  for (int axis = 0; axis < 3; ++axis) {
    CHECK(lps.to_field(axis, -120) == Approx(-1));
    CHECK(lps.to_field(axis, 80) == Approx(1));
  }
  CHECK_THROWS(FieldDomain::from_range(3, 3));
}
