#pragma once
// The seam between coordinates and the MLP. An Encoding maps 3 x N field
// coordinates (column j = sample j) to output_dim() x N features. The
// trainer, prediction, the checkpoint and infer use only this interface, so
// a new encoding is one class and one registration:
//  * encode / backward: forward and backward passes (Kokkos kernels);
//    encode_fast may be a faster encode within rounding of encode's values
//    (prediction; training where TrainConfig::fast_encoding asks);
//  * parameters / gradients: trainable values, flat (empty: nothing to
//    train); the trainer gives them an Adam state and a learning rate of
//    their own (EncodingConfig::lr);
//  * state: everything else that defines it (hyper-parameters, fixed
//    tables), as plain numbers for checkpoints (/field/encoding/...).
// Kinds are registered by name: make_encoding builds one from a config and a
// seed, restore_encoding from a saved state. "fourier" is built in.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mcinr/backends/types.hpp"

namespace mcinr {

// What an encoding is made from. A kind reads the fields that are its own;
// kinds registered outside mcinr read `options`.
struct EncodingConfig {
  std::string kind = "fourier";
  double lr = 0;  // learning rate of trainable parameters (0: the MLP's)
  // fourier
  int fourier_features = 256;
  double fourier_scale = 4.0;
  // hashgrid: levels of cell size from coarsest to finest (mm, geometric),
  // features per level, 2^log2_table entries per hashed level
  int hash_levels = 12;
  int hash_features = 2;
  int hash_log2_table = 18;
  double hash_coarsest_mm = 16;
  double hash_finest_mm = 1;
  // The world extent (mm) that the field's [-1, 1] spans, for encodings that
  // think in mm (hashgrid); set by the subject fit from its scans. 0: 2, so
  // millimetres are field units.
  double domain_mm = 0;
  // other kinds
  std::map<std::string, double> options;

  // Throws std::invalid_argument naming the option (--fourier-features ...).
  void validate() const;
};

// An encoding's definition as plain numbers: named real attributes and named
// arrays (values flat, row-major, with their shape). Trainable parameters are
// not part of it: they travel as Encoding::parameters().
struct EncodingState {
  struct Array {
    std::vector<std::size_t> shape;
    std::vector<double> values;
  };
  std::string kind;
  std::map<std::string, double> attributes;
  std::map<std::string, Array> arrays;

  double attribute(const std::string& name) const;  // throws std::invalid_argument where absent
  const Array& array(const std::string& name) const;
};

template <class Scalar> class Encoding {
 public:
  static constexpr int dims = 3;
  virtual ~Encoding() = default;

  virtual std::string kind() const = 0;
  virtual int output_dim() const = 0;

  // out(:, j) = encoding of coords(:, j); out is output_dim() x N.
  virtual void encode(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const = 0;
  // The same within rounding, faster: an encoding may trade the last bits
  // for speed here (Fourier: sines and cosines within 1e-7). Prediction
  // always calls it; training only where TrainConfig::fast_encoding asks
  // (off by default and in the reference preset, whose fits stay bit for bit).
  virtual void encode_fast(ConstMatrixRef<Scalar> coords, MatrixRef<Scalar> out) const { encode(coords, out); }

  // From d_out (output_dim() x N, dL/d(out)): overwrites gradients() with
  // dL/d(parameters), and writes d_coords (3 x N) = dL/d(coords) where it has
  // extents (an empty view skips it).
  virtual void backward(ConstMatrixRef<Scalar> coords, ConstMatrixRef<Scalar> d_out, MatrixRef<Scalar> d_coords) = 0;

  // Trainable parameters and their gradients, one flat View each; empty
  // where the encoding has nothing to train.
  virtual Vector<Scalar> parameters() const { return {}; }
  virtual Vector<Scalar> gradients() const { return {}; }
  std::size_t parameter_count() const { return parameters().extent(0); }

  // Where backward() changes only some rows of gradients() (a row is
  // row_width() consecutive parameters), the rows the last backward touched,
  // so that an optimiser can update just those; empty: every row.
  virtual bool tracks_touched_rows() const { return false; }
  virtual Kokkos::View<const std::uint32_t*, MemSpace> touched_rows() const { return {}; }
  virtual int row_width() const { return 1; }

  virtual EncodingState state() const = 0;

  // Multiply-adds per sample of encode (for the bench and logs).
  virtual double flops_per_sample() const = 0;
};

template <class Scalar> struct EncodingKind {
  // A new encoding of this kind (trainable parameters initialised from seed).
  std::function<std::unique_ptr<Encoding<Scalar>>(const EncodingConfig&, std::uint64_t seed)> make;
  // The same encoding again from its state (parameters are copied in after).
  std::function<std::unique_ptr<Encoding<Scalar>>(const EncodingState&)> restore;
};

// Registers (or replaces) a kind for one scalar type.
template <class Scalar> void register_encoding(const std::string& kind, EncodingKind<Scalar> functions);
bool encoding_registered(const std::string& kind);
std::vector<std::string> registered_encodings();

// Throw std::invalid_argument for an unknown kind.
template <class Scalar>
std::unique_ptr<Encoding<Scalar>> make_encoding(const EncodingConfig& config, std::uint64_t seed);
template <class Scalar> std::unique_ptr<Encoding<Scalar>> restore_encoding(const EncodingState& state);

}  // namespace mcinr
