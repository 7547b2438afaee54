#include "mcinr/core/hash_grid_encoding.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "mcinr/core/math.hpp"
#include "mcinr/core/random.hpp"

namespace mcinr {

HashGridLayout HashGridLayout::make(int levels, int features, int log2_table, double coarsest_mm, double finest_mm,
                                    double domain_mm) {
  if (levels < 1 || levels > max_levels) throw std::invalid_argument("--hash-levels must be between 1 and 32");
  if (features < 1 || features > 8) throw std::invalid_argument("--hash-features must be between 1 and 8");
  if (log2_table < 4 || log2_table > 24) throw std::invalid_argument("--hash-log2-table must be between 4 and 24");
  if (!(finest_mm > 0) || !std::isfinite(finest_mm)) throw std::invalid_argument("--hash-finest-mm must be positive");
  if (!(coarsest_mm >= finest_mm) || !std::isfinite(coarsest_mm))
    throw std::invalid_argument("--hash-coarsest-mm must be at least --hash-finest-mm");
  if (!(domain_mm > 0) || !std::isfinite(domain_mm)) throw std::invalid_argument("the field's extent must be positive");
  HashGridLayout layout;
  layout.levels = levels;
  layout.features = features;
  layout.table_size = std::uint64_t(1) << log2_table;
  const double growth = levels > 1 ? std::pow(finest_mm / coarsest_mm, 1.0 / (levels - 1)) : 1.0;
  for (int l = 0; l < levels; ++l) {
    const double cell_mm = coarsest_mm * std::pow(growth, l);
    const double cells_per_unit = domain_mm / (2.0 * cell_mm);  // [-1, 1] spans domain_mm
    const double n = std::ceil(2.0 * cells_per_unit - 1e-9) + 1;
    if (n > 1e6) throw std::invalid_argument("--hash-finest-mm is too fine for the field's extent");
    layout.resolution[l] = int(n);
    layout.cells_per_unit[l] = cells_per_unit;
    layout.dense[l] = n * n * n <= double(layout.table_size);
    layout.offset[l] = layout.entries;
    layout.entries += layout.dense[l] ? std::uint64_t(n * n * n) : layout.table_size;
  }
  if (layout.entries * features > (std::uint64_t(1) << 31))
    throw std::invalid_argument("the hash grid has more than 2^31 parameters: fewer --hash-levels or a smaller table");
  return layout;
}

namespace {

// Instant-NGP's initialisation: uniform in +-1e-4. A free function: CUDA
// refuses extended lambdas inside constructors.
template <class Scalar>
void initialize_table(const Vector<Scalar>& table, std::uint64_t seed) {
  const std::uint64_t stream = static_cast<std::uint64_t>(random::Stream::hash_table);
  Kokkos::parallel_for(
      "mcinr::hash_initialize", Kokkos::RangePolicy<ExecSpace>(0, table.extent(0)), KOKKOS_LAMBDA(const std::size_t k) {
        table(k) = static_cast<Scalar>((2.0 * random::uniform(seed, stream, k) - 1.0) * 1e-4);
      });
}

}  // namespace

template <class Scalar>
HashGridEncoding<Scalar>::HashGridEncoding(const EncodingConfig& config, std::uint64_t seed) : config_(config) {
  if (config_.domain_mm <= 0) config_.domain_mm = 2.0;
  layout_ = HashGridLayout::make(config_.hash_levels, config_.hash_features, config_.hash_log2_table,
                                 config_.hash_coarsest_mm, config_.hash_finest_mm, config_.domain_mm);
  allocate();
  initialize_table(table_, seed);
}

template <class Scalar>
HashGridEncoding<Scalar> HashGridEncoding<Scalar>::from_state(const EncodingState& s) {
  HashGridEncoding e;
  e.config_.kind = "hashgrid";
  auto integer = [&](const char* name, double lo, double hi) {
    const double v = s.attribute(name);
    if (!(v >= lo && v <= hi) || v != std::floor(v)) throw std::invalid_argument(std::string("hash grid: bad ") + name);
    return int(v);
  };
  e.config_.hash_levels = integer("levels", 1, 32);
  e.config_.hash_features = integer("features", 1, 8);
  e.config_.hash_log2_table = integer("log2_table", 4, 24);
  e.config_.hash_coarsest_mm = s.attribute("coarsest_mm");
  e.config_.hash_finest_mm = s.attribute("finest_mm");
  e.config_.domain_mm = s.attribute("domain_mm");
  e.layout_ = HashGridLayout::make(e.config_.hash_levels, e.config_.hash_features, e.config_.hash_log2_table,
                                   e.config_.hash_coarsest_mm, e.config_.hash_finest_mm, e.config_.domain_mm);
  e.allocate();
  return e;
}

template <class Scalar>
void HashGridEncoding<Scalar>::allocate() {
  const std::size_t n = layout_.entries * layout_.features;
  table_ = Vector<Scalar>("hash_table", n);
  grad_ = Vector<Scalar>("hash_gradient", n);
  touched_flag_ = Kokkos::View<std::uint32_t*, MemSpace>("hash_touched_flag", layout_.entries);
  touched_count_ = Kokkos::View<std::uint64_t, MemSpace>("hash_touched_count");
}

template <class Scalar>
EncodingState HashGridEncoding<Scalar>::state() const {
  EncodingState s;
  s.kind = kind();
  s.attributes = {{"levels", layout_.levels},
                  {"features", layout_.features},
                  {"log2_table", config_.hash_log2_table},
                  {"coarsest_mm", config_.hash_coarsest_mm},
                  {"finest_mm", config_.hash_finest_mm},
                  {"domain_mm", config_.domain_mm}};
  return s;
}

template <class Scalar>
Kokkos::View<const std::uint32_t*, MemSpace> HashGridEncoding<Scalar>::touched_rows() const {
  return Kokkos::View<const std::uint32_t*, MemSpace>(touched_.data(), touched_host_);
}

namespace detail {

// The cell of level l around a point: its first vertex and the fractions.
template <class Scalar>
struct HashCell {
  std::uint64_t i, j, k;
  Scalar tx, ty, tz;
};

template <class Scalar>
KOKKOS_INLINE_FUNCTION HashCell<Scalar> hash_cell(const HashGridLayout& g, int l, Scalar x, Scalar y, Scalar z) {
  const Scalar s = Scalar(g.cells_per_unit[l]);
  const Scalar top = Scalar(g.resolution[l] - 1);
  auto axis = [&](Scalar v, std::uint64_t& index, Scalar& frac) {
    Scalar p = (v + Scalar(1)) * s;
    p = p < Scalar(0) ? Scalar(0) : (p > top ? top : p);
    Scalar f = math::floor(p);
    if (f > top - Scalar(1)) f = top - Scalar(1);
    index = std::uint64_t(f);
    frac = p - f;
  };
  HashCell<Scalar> c;
  axis(x, c.i, c.tx);
  axis(y, c.j, c.ty);
  axis(z, c.k, c.tz);
  return c;
}

template <class Scalar>
void hash_encode(const HashGridLayout g, const Vector<Scalar> table, ConstMatrixRef<Scalar> coords,
                 MatrixRef<Scalar> out) {
  const std::size_t n = coords.extent(1);
  const int levels = g.levels, features = g.features;
  Kokkos::parallel_for(
      "mcinr::hash_encode", Kokkos::RangePolicy<ExecSpace>(0, n * levels), KOKKOS_LAMBDA(const std::size_t t) {
        const int l = int(t % levels);
        const std::size_t j = t / levels;
        const HashCell<Scalar> c = hash_cell(g, l, coords(0, j), coords(1, j), coords(2, j));
        Scalar acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int corner = 0; corner < 8; ++corner) {
          const int cx = corner & 1, cy = (corner >> 1) & 1, cz = corner >> 2;
          const Scalar w = (cx ? c.tx : 1 - c.tx) * (cy ? c.ty : 1 - c.ty) * (cz ? c.tz : 1 - c.tz);
          const std::uint64_t e = g.offset[l] + g.entry(l, c.i + cx, c.j + cy, c.k + cz);
          for (int f = 0; f < features; ++f) acc[f] += w * table(e * features + f);
        }
        for (int f = 0; f < features; ++f) out(l * features + f, j) = acc[f];
      });
}

// Scatter-adds w * d_out into the touched rows, recording each row the first
// time a batch touches it.
template <class Scalar>
void hash_scatter(const HashGridLayout g, const Vector<Scalar> grad, ConstMatrixRef<Scalar> coords,
                  ConstMatrixRef<Scalar> d_out, const Kokkos::View<std::uint32_t*, MemSpace> flag,
                  const Kokkos::View<std::uint32_t*, MemSpace> touched,
                  const Kokkos::View<std::uint64_t, MemSpace> count) {
  const std::size_t n = coords.extent(1);
  const int levels = g.levels, features = g.features;
  Kokkos::parallel_for(
      "mcinr::hash_backward", Kokkos::RangePolicy<ExecSpace>(0, n * levels), KOKKOS_LAMBDA(const std::size_t t) {
        const int l = int(t % levels);
        const std::size_t j = t / levels;
        const HashCell<Scalar> c = hash_cell(g, l, coords(0, j), coords(1, j), coords(2, j));
        for (int corner = 0; corner < 8; ++corner) {
          const int cx = corner & 1, cy = (corner >> 1) & 1, cz = corner >> 2;
          const Scalar w = (cx ? c.tx : 1 - c.tx) * (cy ? c.ty : 1 - c.ty) * (cz ? c.tz : 1 - c.tz);
          const std::uint64_t e = g.offset[l] + g.entry(l, c.i + cx, c.j + cy, c.k + cz);
          if (Kokkos::atomic_exchange(&flag(e), std::uint32_t(1)) == 0u)
            touched(Kokkos::atomic_fetch_add(&count(), std::uint64_t(1))) = std::uint32_t(e);
          for (int f = 0; f < features; ++f) Kokkos::atomic_add(&grad(e * features + f), w * d_out(l * features + f, j));
        }
      });
}

// d_coords(:, j) = sum over levels, features and corners of
// d_out * table * d(weight)/d(coordinate).
template <class Scalar>
void hash_coordinate_gradient(const HashGridLayout g, const Vector<Scalar> table, ConstMatrixRef<Scalar> coords,
                              ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) {
  const std::size_t n = coords.extent(1);
  const int levels = g.levels, features = g.features;
  Kokkos::parallel_for(
      "mcinr::hash_coordinate_gradient", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t j) {
        Scalar d[3] = {0, 0, 0};
        for (int l = 0; l < levels; ++l) {
          const HashCell<Scalar> c = hash_cell(g, l, coords(0, j), coords(1, j), coords(2, j));
          const Scalar s = Scalar(g.cells_per_unit[l]);
          const Scalar t[3] = {c.tx, c.ty, c.tz};
          for (int corner = 0; corner < 8; ++corner) {
            const int b[3] = {corner & 1, (corner >> 1) & 1, corner >> 2};
            const std::uint64_t e = g.offset[l] + g.entry(l, c.i + b[0], c.j + b[1], c.k + b[2]);
            Scalar value = 0;
            for (int f = 0; f < features; ++f) value += d_out(l * features + f, j) * table(e * features + f);
            Scalar w[3], dw[3];
            for (int a = 0; a < 3; ++a) {
              w[a] = b[a] ? t[a] : 1 - t[a];
              dw[a] = (b[a] ? Scalar(1) : Scalar(-1)) * s;
            }
            d[0] += value * dw[0] * w[1] * w[2];
            d[1] += value * w[0] * dw[1] * w[2];
            d[2] += value * w[0] * w[1] * dw[2];
          }
        }
        for (int a = 0; a < 3; ++a) d_coords(a, j) = d[a];
      });
}

// Zeroes the gradient rows and flags of the rows the last backward touched.
template <class Scalar>
void hash_reset(const Vector<Scalar> grad, const Kokkos::View<std::uint32_t*, MemSpace> flag,
                const Kokkos::View<std::uint32_t*, MemSpace> touched, std::uint64_t count, int features) {
  Kokkos::parallel_for(
      "mcinr::hash_reset", Kokkos::RangePolicy<ExecSpace>(0, count), KOKKOS_LAMBDA(const std::size_t r) {
        const std::uint32_t e = touched(r);
        flag(e) = 0;
        for (int f = 0; f < features; ++f) grad(std::size_t(e) * features + f) = 0;
      });
}

}  // namespace detail

template <class Scalar>
void HashGridEncoding<Scalar>::encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const {
  if (coords.extent(0) != 3 || out.extent(0) != std::size_t(output_dim()) || out.extent(1) != coords.extent(1))
    throw std::logic_error("HashGridEncoding::encode: shape mismatch");
  detail::hash_encode<Scalar>(layout_, table_, coords, out);
}

template <class Scalar>
void HashGridEncoding<Scalar>::backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out,
                                        MatrixRef<Scalar> d_coords) {
  const std::size_t n = coords.extent(1);
  if (coords.extent(0) != 3 || d_out.extent(0) != std::size_t(output_dim()) || d_out.extent(1) != n)
    throw std::logic_error("HashGridEncoding::backward: shape mismatch");
  detail::hash_reset<Scalar>(grad_, touched_flag_, touched_, touched_host_, layout_.features);
  const std::uint64_t most = std::min<std::uint64_t>(layout_.entries, std::uint64_t(8) * layout_.levels * n);
  if (touched_.extent(0) < most) touched_ = Kokkos::View<std::uint32_t*, MemSpace>("hash_touched", most);
  Kokkos::deep_copy(touched_count_, std::uint64_t(0));
  detail::hash_scatter<Scalar>(layout_, grad_, coords, d_out, touched_flag_, touched_, touched_count_);
  Kokkos::deep_copy(touched_host_, touched_count_);
  if (d_coords.extent(0) > 0) {
    if (d_coords.extent(0) != 3 || d_coords.extent(1) != n)
      throw std::logic_error("HashGridEncoding::backward: d_coords shape mismatch");
    detail::hash_coordinate_gradient<Scalar>(layout_, table_, coords, d_out, d_coords);
  }
}

template class HashGridEncoding<float>;
template class HashGridEncoding<double>;

}  // namespace mcinr
