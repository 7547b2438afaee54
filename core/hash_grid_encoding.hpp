#pragma once
// Multi-resolution hash encoding (Müller et al. 2022, Instant-NGP; NeSVoR uses
// it for slice-to-volume MRI): L grids from a coarsest to a finest cell size
// (mm), geometric in between; each vertex holds F trainable features; a
// point's features at level l are the trilinear blend of its cell's 8
// vertices; the encoding is the L * F features, level by level. A level whose
// (N_l)^3 vertices fit in the table is stored densely (no collisions); a finer
// one is hashed into T entries (Instant-NGP's spatial hash, with
// collisions the MLP learns to tell apart).
//
// The gradient of the table is an atomic scatter-add. backward() also
// records which table rows (one row = F features of one entry) it touched,
// so an optimiser can update just those (touched_rows()).
//
// State: attributes levels, features, log2_table, coarsest_mm, finest_mm,
// domain_mm (the world extent, mm, that the field's [-1, 1] spans); the
// table is the trainable parameters.
#include <cstdint>

#include "mcinr/core/encoding.hpp"

namespace mcinr {

struct HashGridLayout {
  static constexpr int max_levels = 32;
  int levels = 0, features = 0;
  std::uint64_t table_size = 0;  // entries per hashed level (a power of 2)
  // Plain arrays, not std::array: device code (CUDA, HIP) cannot call
  // std::array's host-only operator[].
  int resolution[max_levels] = {};              // vertices per axis
  double cells_per_unit[max_levels] = {};       // 1 / cell size in field units
  bool dense[max_levels] = {};
  std::uint64_t offset[max_levels] = {};        // first entry of the level
  std::uint64_t entries = 0;                    // all levels

  // Throws std::invalid_argument naming the option.
  static HashGridLayout make(int levels, int features, int log2_table, double coarsest_mm, double finest_mm,
                             double domain_mm);

  // Entry (within the level) of vertex (i, j, k) of level l.
  KOKKOS_INLINE_FUNCTION std::uint64_t entry(int l, std::uint64_t i, std::uint64_t j, std::uint64_t k) const {
    if (dense[l]) {
      const std::uint64_t n = std::uint64_t(resolution[l]);
      return i + n * (j + n * k);
    }
    const std::uint64_t h = (i * 1u) ^ (j * 2654435761u) ^ (k * 805459861u);
    return h & (table_size - 1);
  }
};

template <class Scalar>
class HashGridEncoding final : public Encoding<Scalar> {
 public:
  HashGridEncoding(const EncodingConfig& config, std::uint64_t seed);
  static HashGridEncoding from_state(const EncodingState& state);

  std::string kind() const override { return "hashgrid"; }
  int output_dim() const override { return layout_.levels * layout_.features; }
  const HashGridLayout& layout() const { return layout_; }

  void encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const override;
  void backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) override;

  Vector<Scalar> parameters() const override { return table_; }
  Vector<Scalar> gradients() const override { return grad_; }
  bool tracks_touched_rows() const override { return true; }
  Kokkos::View<const std::uint32_t*, MemSpace> touched_rows() const override;
  int row_width() const override { return layout_.features; }

  EncodingState state() const override;
  double flops_per_sample() const override { return 8.0 * 3 * output_dim(); }

 private:
  HashGridEncoding() = default;
  void allocate();

  EncodingConfig config_;
  HashGridLayout layout_;
  Vector<Scalar> table_, grad_;                           // entries x F, row-major
  Kokkos::View<std::uint32_t*, MemSpace> touched_flag_;   // per entry
  Kokkos::View<std::uint32_t*, MemSpace> touched_;        // rows touched by the last backward
  Kokkos::View<std::uint64_t, MemSpace> touched_count_;
  std::uint64_t touched_host_ = 0;
};

extern template class HashGridEncoding<float>;
extern template class HashGridEncoding<double>;

}  // namespace mcinr
