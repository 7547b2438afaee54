// The hash-grid encoding: its layout (dense coarse levels, hashed fine
// ones), finite-difference checks of the table and coordinate gradients
// through an MLP and the loss, collisions summing their gradients, the
// touched rows and the lazy Adam update on them.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "mcinr/core/adam.hpp"
#include "mcinr/core/hash_grid_encoding.hpp"
#include "mcinr/core/loss.hpp"
#include "mcinr/core/mlp.hpp"
#include "testing.hpp"

using namespace mcinr;

namespace {

// domain_mm 2: millimetres are field units. Cells of 1, 0.5 and 0.25.
EncodingConfig small_grid(int log2_table = 6) {
  EncodingConfig c;
  c.kind = "hashgrid";
  c.hash_levels = 3;
  c.hash_features = 2;
  c.hash_log2_table = log2_table;
  c.hash_coarsest_mm = 1;
  c.hash_finest_mm = 0.25;
  c.domain_mm = 2;
  return c;
}

}  // namespace

TEST_CASE("hash grid levels: geometric cells, dense where they fit, hashed beyond", "[hashgrid]") {
  const HashGridLayout g = HashGridLayout::make(3, 2, 6, 1, 0.25, 2);
  CHECK(g.resolution[0] == 3);  // [-1, 1] in cells of 1: 3 vertices
  CHECK(g.resolution[1] == 5);
  CHECK(g.resolution[2] == 9);
  CHECK(g.dense[0]);            // 27 <= 64
  CHECK_FALSE(g.dense[1]);      // 125 > 64
  CHECK(g.offset[1] == 27);
  CHECK(g.entries == 27 + 64 + 64);
  const HashGridLayout brain = HashGridLayout::make(12, 2, 18, 16, 1, 240);
  CHECK(brain.resolution[11] == 241);
  CHECK(brain.cells_per_unit[0] == Approx(240.0 / 32));
  CHECK_THROWS_WITH(HashGridLayout::make(40, 2, 18, 16, 1, 240), Catch::StartsWith("--hash-levels"));
  CHECK_THROWS_WITH(HashGridLayout::make(4, 2, 18, 0.5, 1, 240), Catch::StartsWith("--hash-coarsest-mm"));
  CHECK_THROWS_WITH(HashGridLayout::make(4, 2, 30, 16, 1, 240), Catch::StartsWith("--hash-log2-table"));
  // Dense levels number their vertices one to one.
  std::set<std::uint64_t> seen;
  for (std::uint64_t k = 0; k < 3; ++k)
    for (std::uint64_t j = 0; j < 3; ++j)
      for (std::uint64_t i = 0; i < 3; ++i) seen.insert(g.entry(0, i, j, k));
  CHECK(seen.size() == 27);
}

namespace {

struct GridProblem {
  std::unique_ptr<Encoding<double>> encoding;
  Mlp<double> mlp;
  Matrix<double> coords, encoded, d_output, d_encoded, d_coords;
  Vector<double> target;
  BatchSplit split = BatchSplit::counts({5, 4});

  GridProblem() {
    encoding = make_encoding<double>(small_grid(), 3);
    // A table of order 1, so that every gradient is well away from zero.
    const auto values =
        testing::random_matrix<double>("table", encoding->parameter_count(), 1, -1, 1, 31);
    Kokkos::deep_copy(encoding->parameters(), Kokkos::subview(values, Kokkos::ALL(), 0));
    MlpConfig mc;
    mc.input_dim = encoding->output_dim();
    mc.hidden = 8;
    mc.layers = 1;
    mc.head_hidden = 4;
    mlp = Mlp<double>(mc, split.size());
    mlp.initialize(5);
    coords = testing::random_matrix<double>("coords", 3, split.size(), -0.95, 0.95, 7);
    const auto t = testing::random_matrix<double>("target", split.size(), 1, 0, 1, 8);
    target = Vector<double>("target", split.size());
    Kokkos::deep_copy(target, Kokkos::subview(t, Kokkos::ALL(), 0));
    encoded = Matrix<double>("encoded", encoding->output_dim(), split.size());
    d_output = Matrix<double>("d_output", split.size(), 2);
    d_encoded = Matrix<double>("d_encoded", encoding->output_dim(), split.size());
    d_coords = Matrix<double>("d_coords", 3, split.size());
  }
  double loss() {
    encoding->encode(coords, encoded);
    mlp.forward(encoded, split, true);
    return masked_mse<double>(mlp.output(), target, split, d_output);
  }
  void gradients() {
    loss();
    mlp.backward(encoded, d_output, split, true, d_encoded);
    encoding->backward(coords, d_encoded, d_coords);
    Kokkos::fence();
  }
  template <class View>
  std::vector<double> numeric(const View& values) {
    return testing::central_differences(values, [this] { return loss(); });
  }
};

}  // namespace

TEST_CASE("hash grid gradients (table and coordinates) match finite differences", "[hashgrid][gradient]") {
  GridProblem p;
  p.gradients();
  const auto table = testing::to_host(p.encoding->gradients());
  const auto coords = testing::to_host(p.d_coords);
  CHECK(testing::relative_error(table, p.numeric(p.encoding->parameters())) < 1e-6);
  CHECK(testing::relative_error(coords, p.numeric(p.coords)) < 1e-6);
  // Every touched row is listed once; the others have no gradient.
  const auto rows = testing::to_host(p.encoding->touched_rows());
  const std::set<std::uint32_t> unique(rows.begin(), rows.end());
  CHECK(unique.size() == rows.size());
  CHECK(rows.size() <= 8 * 3 * p.split.size());
  for (std::size_t e = 0; e < table.size() / 2; ++e)
    if (!unique.count(std::uint32_t(e))) CHECK(table[2 * e] == 0);
  // A second backward starts from zero (the first one's rows are cleared;
  // with threads the atomic adds may come in another order).
  p.gradients();
  CHECK(testing::relative_error(testing::to_host(p.encoding->gradients()), table) < 1e-12);
}

TEMPLATE_TEST_CASE("colliding vertices share a table row and sum their gradients", "[hashgrid]", float, double) {
  using Scalar = TestType;
  const EncodingConfig config = small_grid(4);  // 16 rows for the 125- and 729-vertex levels
  HashGridEncoding<Scalar> grid(config, 1);
  const HashGridLayout& g = grid.layout();
  REQUIRE_FALSE(g.dense[2]);
  // Two vertices of the finest level that hash to one row.
  std::uint64_t a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
  bool found = false;
  const std::uint64_t n = g.resolution[2];
  for (std::uint64_t v = 1; v < n * n * n && !found; ++v) {
    const std::uint64_t i = v % n, j = (v / n) % n, k = v / (n * n);
    if (g.entry(2, i, j, k) == g.entry(2, 0, 0, 0)) {
      b[0] = i, b[1] = j, b[2] = k;
      found = true;
    }
  }
  REQUIRE(found);
  // Points exactly on those vertices: weight 1 on them.
  Matrix<Scalar> coords("coords", 3, 2);
  auto h = Kokkos::create_mirror_view(coords);
  for (int d = 0; d < 3; ++d) {
    h(d, 0) = Scalar(-1 + double(a[d]) / g.cells_per_unit[2]);
    h(d, 1) = Scalar(-1 + double(b[d]) / g.cells_per_unit[2]);
  }
  Kokkos::deep_copy(coords, h);
  Matrix<Scalar> out("out", grid.output_dim(), 2);
  grid.encode(coords, out);
  const auto features = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  CHECK(features(4, 0) == Approx(features(4, 1)).epsilon(1e-3));  // level 2: one row
  CHECK(features(5, 0) == Approx(features(5, 1)).epsilon(1e-3));
  Matrix<Scalar> d_out("d_out", grid.output_dim(), 2);
  Kokkos::deep_copy(Kokkos::subview(d_out, 4, Kokkos::ALL()), Scalar(1));
  grid.backward(coords, d_out, MatrixRef<Scalar>());
  const auto grad = testing::to_host(grid.gradients());
  const std::uint64_t row = g.offset[2] + g.entry(2, 0, 0, 0);
  CHECK(grad[2 * row] == Approx(2.0).epsilon(1e-4));  // both points' weight 1
  CHECK(grad[2 * row + 1] == 0);
}

TEMPLATE_TEST_CASE("lazy Adam on the touched rows: a first step equals the dense one", "[hashgrid][adam]", float,
                   double) {
  using Scalar = TestType;
  HashGridEncoding<Scalar> grid(small_grid(), 2);
  const auto coords = testing::random_matrix<Scalar>("coords", 3, 20, -1, 1, 9);
  const auto d_out = testing::random_matrix<Scalar>("d_out", grid.output_dim(), 20, -1, 1, 10);
  grid.backward(coords, d_out, MatrixRef<Scalar>());
  Vector<Scalar> dense("dense", grid.parameter_count()), lazy("lazy", grid.parameter_count());
  Kokkos::deep_copy(dense, grid.parameters());
  Kokkos::deep_copy(lazy, grid.parameters());
  AdamConfig config;
  config.lr = 1e-2;
  Adam<Scalar> a(grid.parameter_count(), config), b(grid.parameter_count(), config);
  a.step(dense, grid.gradients(), 1e-2);
  b.step_rows(lazy, grid.gradients(), grid.touched_rows(), grid.row_width(), 1e-2);
  CHECK(testing::to_host(dense) == testing::to_host(lazy));
  CHECK(testing::to_host(a.second_moment()) == testing::to_host(b.second_moment()));
  CHECK(b.steps() == 1);
}
