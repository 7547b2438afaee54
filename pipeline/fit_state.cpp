#include "mcinr/pipeline/fit_state.hpp"

#include <cmath>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/core/device_copy.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/grids.hpp"

namespace mcinr::pipeline {

io::EncodingRecord to_record(const EncodingState& state) {
  io::EncodingRecord r;
  r.kind = state.kind;
  r.attributes = state.attributes;
  for (const auto& [name, array] : state.arrays) r.arrays[name] = {array.shape, array.values};
  return r;
}

EncodingState to_state(const io::EncodingRecord& record) {
  EncodingState s;
  s.kind = record.kind;
  s.attributes = record.attributes;
  for (const auto& [name, array] : record.arrays) s.arrays[name] = {array.shape, array.values};
  return s;
}

io::Checkpoint read_checkpoint_file(const std::string& path) {
  try {
    return io::read_checkpoint(path);
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
}

void capture_training(FieldTrainer<float>& trainer, io::Checkpoint& c) {
  c.model = to_string(trainer.field_config().mlp.architecture);
  c.seed = trainer.train_config().seed;
  c.epochs_done = trainer.epochs_done();
  c.adam_steps = trainer.optimizer().steps();
  c.parameters = to_host(trainer.mlp().parameters());
  c.adam_m = to_host(trainer.optimizer().first_moment());
  c.adam_v = to_host(trainer.optimizer().second_moment());
  c.total_steps = trainer.train_config().total_steps;
  c.constant_steps = trainer.train_config().constant_steps;
  Encoding<float>& encoding = trainer.encoding();
  c.encoding = to_record(encoding.state());
  if (encoding.parameter_count() > 0) {
    c.encoding.parameters = to_host(encoding.parameters());
    c.encoding.adam_m = to_host(trainer.encoding_optimizer().first_moment());
    c.encoding.adam_v = to_host(trainer.encoding_optimizer().second_moment());
    c.encoding.adam_steps = trainer.encoding_optimizer().steps();
  }
}

void require_same_fit(const io::Checkpoint& c, const std::string& path, const FitConfig& config,
                      FieldTrainer<float>& trainer, const FieldDomain& domain, const io::Geometry& grid,
                      const std::array<std::uint64_t, 2>& input_hashes) {
  const std::map<std::string, double> settings = config.settings();
  for (const auto& [name, value] : settings) {
    const auto found = c.settings.find(name);
    require(found != c.settings.end() && found->second == value,
            path + ": it was written with another " + name + " (" +
                (found == c.settings.end() ? std::string("none") : std::to_string(found->second)) + ", now " +
                std::to_string(value) + ")");
  }
  // Settings added after format 1 are stored only where they differ from
  // the default: one the checkpoint has and this fit lacks differs too.
  for (const auto& [name, value] : c.settings)
    require(settings.count(name) > 0,
            path + ": it was written with another " + name + " (" + std::to_string(value) + ", now none)");
  require(c.model == to_string(config.field.mlp.architecture) && c.seed == config.train.seed,
          path + ": it was written with another model or seed");
  const EncodingState saved = to_state(c.encoding), now = trainer.encoding().state();
  require(saved.kind == now.kind, path + ": it was written with the " + saved.kind + " encoding, now " + now.kind);
  require(saved.attributes == now.attributes, path + ": its encoding's settings differ");
  for (const auto& [name, array] : now.arrays) {
    const auto found = saved.arrays.find(name);
    require(found != saved.arrays.end() && found->second.shape == array.shape,
            path + ": its encoding's " + name + " does not fit");
    for (std::size_t i = 0; i < array.values.size(); ++i)
      require(float(found->second.values[i]) == float(array.values[i]), path + ": its encoding's " + name + " differs");
  }
  require(FieldDomain{c.domain_lo, c.domain_hi, c.domain_ras}.same_map(domain),
          path + ": it was fitted to other inputs (coordinate range differs), or by an mcinr before 2026-11-26 "
                 "whose coordinate map differs on these scans");
  for (int i = 0; i < 2; ++i)
    require(c.input_hashes[i] == 0 || c.input_hashes[i] == input_hashes[i],
            path + ": it was fitted to other inputs (the content of " + config.image[i] + " differs)");
  bool same_grid = c.grid.size == grid.size;
  for (int d = 0; d < 3; ++d)
    same_grid = same_grid && std::abs(c.grid.spacing[d] - grid.spacing[d]) <= 1e-6 &&
                std::abs(c.grid.origin[d] - grid.origin[d]) <= 1e-6;
  require(same_grid, path + ": it was fitted for another output grid");
  // Where training stands, against the fit it claims to be (an edited or
  // damaged file would otherwise index past the end or loop).
  require(c.epochs_done >= 0 && c.epochs_done <= config.train.epochs,
          path + ": its epochs_done (" + std::to_string(c.epochs_done) + ") is outside 0.." +
              std::to_string(config.train.epochs));
  require(c.next_batch <= trainer.batches_per_epoch(), path + ": its next_batch (" + std::to_string(c.next_batch) +
                                                           ") is beyond the epoch's " +
                                                           std::to_string(trainer.batches_per_epoch()) + " batches");
  const double all_steps = double(config.train.epochs) * double(trainer.batches_per_epoch());
  require(double(c.total_steps) <= all_steps && c.constant_steps <= c.total_steps,
          path + ": its step plan does not fit the fit's " + std::to_string(std::uint64_t(all_steps)) + " steps");
  require(std::isfinite(c.epoch_loss_sum), path + ": its loss sum is not finite");
  require(c.metric_rows.size() <= std::size_t(c.epochs_done) + 1, path + ": it holds more metric rows than epochs");
}

void require_valid_grid(const io::Geometry& g, const std::string& path) {
  bool ok = true;
  double voxels = 1;
  for (int d = 0; d < 3; ++d) {
    ok = ok && g.size[d] >= 1 && std::isfinite(g.spacing[d]) && g.spacing[d] > 0 && std::isfinite(g.origin[d]);
    voxels *= double(g.size[d]);
  }
  for (const double v : g.direction) ok = ok && std::isfinite(v);
  require(ok && voxels <= 2e9, path + ": its output grid is not valid (empty, above 2e9 voxels, or not finite)");
}

namespace {

template <class T>
void copy_checked(const Kokkos::View<T*, MemSpace>& view, const std::vector<T>& data, const std::string& path,
                  const std::string& what) {
  require(data.size() == view.extent(0), path + ": the checkpoint's " + what + " do not fit this model");
  for (const T& v : data)
    require(std::isfinite(v), path + ": the checkpoint's " + what +
                                  " hold NaN or infinite values (damaged, or saved "
                                  "from a diverged fit)");
  copy_to_device(view, data);
}

}  // namespace

void restore_training(const io::Checkpoint& c, const std::string& path, FieldTrainer<float>& trainer) {
  copy_checked(trainer.mlp().parameters(), c.parameters, path, "parameters");
  copy_checked(trainer.optimizer().first_moment(), c.adam_m, path, "Adam moments");
  copy_checked(trainer.optimizer().second_moment(), c.adam_v, path, "Adam moments");
  trainer.optimizer().set_steps(c.adam_steps);
  Encoding<float>& encoding = trainer.encoding();
  if (encoding.parameter_count() > 0) {
    copy_checked(encoding.parameters(), c.encoding.parameters, path, "encoding parameters");
    copy_checked(trainer.encoding_optimizer().first_moment(), c.encoding.adam_m, path, "encoding Adam moments");
    copy_checked(trainer.encoding_optimizer().second_moment(), c.encoding.adam_v, path, "encoding Adam moments");
    trainer.encoding_optimizer().set_steps(c.encoding.adam_steps);
  } else {
    require(c.encoding.parameters.empty(), path + ": its encoding has parameters this one lacks");
  }
  if (c.total_steps > 0) trainer.set_step_plan(c.total_steps, c.constant_steps);
  trainer.set_epochs_done(c.epochs_done);
}

SavedField load_saved_field(const std::string& path) {
  const io::Checkpoint c = read_checkpoint_file(path);
  auto setting = [&](const char* name) {
    const auto found = c.settings.find(name);
    require(found != c.settings.end() && std::isfinite(found->second) && std::abs(found->second) < 1e9,
            path + ": no valid " + name + " setting");
    return found->second;
  };
  SavedField saved;
  MlpConfig config;
  try {
    config.architecture = parse_architecture(c.model);
    config.hidden = int(setting("hidden"));
    config.layers = int(setting("layers"));
    config.head_hidden = int(setting("head_hidden"));
    const double batch = setting("batch_size");
    require(batch >= 1 && batch <= double(1 << 24), path + ": bad batch_size setting");
    const std::size_t capacity = std::size_t(batch);
    std::unique_ptr<Encoding<float>> encoding = restore_encoding<float>(to_state(c.encoding));
    if (encoding->parameter_count() > 0)
      copy_checked(encoding->parameters(), c.encoding.parameters, path, "encoding parameters");
    config.input_dim = encoding->output_dim();
    config.validate();
    // Before allocating the model: its trunk alone has hidden^2 x layers
    // weights, all of them in the checkpoint's parameters (which the file
    // held), and a chunk of predictions must fit in memory.
    const double hidden = config.hidden, layers = config.layers;
    require(hidden * hidden * layers + hidden * double(config.input_dim) <= double(c.parameters.size()),
            path + ": its settings (hidden " + std::to_string(config.hidden) + ", layers " +
                std::to_string(config.layers) + ") need more parameters than the " +
                std::to_string(c.parameters.size()) + " it holds");
    const double chunk_bytes =
        12.0 * double(capacity) * (config.input_dim + hidden * (layers + 1) + 2.0 * std::max(1, config.head_hidden));
    const double limit = double(backends::host_memory_bytes());
    require(limit <= 0 || chunk_bytes <= limit,
            path + ": a chunk of its predictions (batch_size " + std::to_string(capacity) + ") would need " +
                gigabytes(chunk_bytes) + " of memory, more than the " + gigabytes(limit) + " this process may use");
    saved.field = Field<float>(std::move(encoding), config, capacity);
  } catch (const std::invalid_argument& e) {
    throw InputError(path + ": " + e.what());
  }
  copy_checked(saved.field.mlp().parameters(), c.parameters, path, "parameters");
  require(std::isfinite(c.domain_lo) && std::isfinite(c.domain_hi) && c.domain_lo < c.domain_hi,
          path + ": no valid field domain");
  for (int k = 0; k < 2; ++k)
    require(
        std::isfinite(c.intensity_lo[k]) && std::isfinite(c.intensity_hi[k]) && c.intensity_lo[k] < c.intensity_hi[k],
        path + ": no valid intensity range");
  saved.domain = FieldDomain{c.domain_lo, c.domain_hi, c.domain_ras};
  saved.intensity_lo = c.intensity_lo;
  saved.intensity_hi = c.intensity_hi;
  require_valid_grid(c.grid, path);
  saved.grid = c.grid;
  saved.inputs = c.inputs;
  return saved;
}

}  // namespace mcinr::pipeline
