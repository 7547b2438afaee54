#pragma once
// HDF5 checkpoints of a fit: everything needed to continue it bit for bit or
// to evaluate the field on any grid (layout: docs/checkpoint.md).
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

// The field's encoding (core/encoding.hpp) as a checkpoint holds it: its
// kind, attributes and fixed arrays, and its trainable parameters with their
// Adam state (empty where it trains nothing).
struct EncodingRecord {
  struct Array {
    std::vector<std::size_t> shape;
    std::vector<double> values;  // row-major
  };
  std::string kind;
  std::map<std::string, double> attributes;
  std::map<std::string, Array> arrays;  // names: letters, digits, '_'
  std::vector<float> parameters, adam_m, adam_v;
  std::uint64_t adam_steps = 0;
};

struct Checkpoint {
  // Configuration (integers and reals by name: model sizes, training settings).
  std::string model;
  std::map<std::string, double> settings;  // hidden, layers, head_hidden, fourier_features, ...
  std::array<std::string, 2> inputs;
  // A content hash of each scan (voxels and geometry) the fit was made
  // from; 0: unknown (checkpoints from before it was kept).
  std::array<std::uint64_t, 2> input_hashes{0, 0};
  // Training state. The shuffle of epoch e is a pure function of (seed, e),
  // so (seed, epoch, next_batch) is the whole random state.
  std::uint64_t seed = 0;
  int epochs_done = 0;           // completed epochs
  std::uint64_t next_batch = 0;  // > 0: stopped inside epoch epochs_done + 1 (== batches: before its evaluation)
  double epoch_loss_sum = 0;     // batch losses summed so far in that epoch
  std::uint64_t adam_steps = 0;
  std::vector<float> parameters, adam_m, adam_v;
  // A step-wise schedule's plan (a fit on a time budget fixes it once it
  // knows its speed): total steps and the steps at the full rate; 0: none.
  std::uint64_t total_steps = 0, constant_steps = 0;
  EncodingRecord encoding;
  double domain_lo = 0, domain_hi = 1;
  bool domain_ras = false;  // the range is of RAS coordinates (FieldDomain::ras); absent in older checkpoints
  std::array<float, 2> intensity_lo{}, intensity_hi{};  // per contrast, for writing outputs
  Geometry grid;                                        // the fit's output grid
  // MI early stopping.
  std::vector<double> mi_window;
  double mi_previous = 0;
  bool mi_has_previous = false;
  std::string stop_reason;  // empty while the fit runs
  // Metric history (metrics.csv).
  std::vector<std::string> metric_columns;
  std::vector<std::vector<double>> metric_rows;
};

// Writes atomically (io/atomic_file.hpp): a crash, of the process or the
// node, never leaves a broken file where a good one was. Throws
// std::runtime_error naming the path.
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads format 2 and the Fourier-only format 1. Throws std::runtime_error
// "<path>: not a valid mcinr checkpoint (...)".
Checkpoint read_checkpoint(const std::string& path);

}  // namespace mcinr::io
