#pragma once
// A fit's state <-> its checkpoint (io/checkpoint.hpp, docs/checkpoint.md):
// what a fit saves, what --resume restores bit for bit, and the saved field
// that infer evaluates.
#include <array>
#include <string>

#include "mcinr/core/early_stopping.hpp"
#include "mcinr/core/field_domain.hpp"
#include "mcinr/core/trainer.hpp"
#include "mcinr/io/checkpoint.hpp"
#include "mcinr/pipeline/fit_config.hpp"

namespace mcinr::pipeline {

// The encoding's definition as the checkpoint holds it, and back.
io::EncodingRecord to_record(const EncodingState& state);
EncodingState to_state(const io::EncodingRecord& record);

// Reads a checkpoint; a file that is not one is an InputError.
io::Checkpoint read_checkpoint_file(const std::string& path);

// The trainer's weights, optimiser state and epoch (the caller adds the
// rest: inputs, grid, metric rows, early-stopping state).
void capture_training(FieldTrainer<float>& trainer, io::Checkpoint& checkpoint);

// Refuses (InputError naming the checkpoint) a checkpoint that another fit
// wrote: other settings, model, seed, encoding, coordinate range, output
// grid or input contents (input_hashes: pipeline::content_hash of each scan;
// a checkpoint's 0 is unknown and passes), or whose training state is out
// of range for this fit.
void require_same_fit(const io::Checkpoint& checkpoint, const std::string& path, const FitConfig& config,
                      FieldTrainer<float>& trainer, const FieldDomain& domain, const io::Geometry& grid,
                      const std::array<std::uint64_t, 2>& input_hashes);

// Puts the checkpoint's weights, optimiser state and epoch into a trainer
// built with the same config (require_same_fit first).
void restore_training(const io::Checkpoint& checkpoint, const std::string& path, FieldTrainer<float>& trainer);

// A fitted field as infer needs it.
struct SavedField {
  Field<float> field;
  FieldDomain domain;
  std::array<float, 2> intensity_lo{}, intensity_hi{};
  io::Geometry grid;  // the fit's output grid
  std::array<std::string, 2> inputs;  // the fit's scans (their names name the outputs)
};
// Predictions run in chunks of the fit's batch size, as the fit's own did,
// so that infer on the fit's grid reproduces its outputs bit for bit.
SavedField load_saved_field(const std::string& checkpoint_path);

// InputError naming the file where a grid is empty, above 2e9 voxels, or has
// a non-finite or non-positive spacing, origin or direction.
void require_valid_grid(const io::Geometry& grid, const std::string& path);

}  // namespace mcinr::pipeline
