#include "mcinr/pipeline/subject_fit.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/core/early_stopping.hpp"
#include "mcinr/io/atomic_file.hpp"
#include "mcinr/io/file_hash.hpp"
#include "mcinr/io/folder_lock.hpp"
#include "mcinr/io/metric_table.hpp"
#include "mcinr/io/registration.hpp"
#include "mcinr/io/report.hpp"
#include "mcinr/io/resample.hpp"
#include "mcinr/io/text_files.hpp"
#include "mcinr/io/slice_picture.hpp"
#include "mcinr/pipeline/coverage.hpp"
#include "mcinr/pipeline/data_consistency.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/fit_state.hpp"
#include "mcinr/pipeline/grids.hpp"
#include "mcinr/pipeline/scans.hpp"
#include "mcinr/pipeline/slice_model.hpp"
#include "mcinr/pipeline/subject_layout.hpp"
#include "mcinr/pipeline/stop_signal.hpp"
#include "mcinr/version.hpp"

namespace fs = std::filesystem;

namespace mcinr::pipeline {

// Every option's value, as summary.json and the sidecars record them.
nlohmann::ordered_json fit_settings_json(const FitConfig& config);

std::string ResumePoint::text() const {
  return "epoch " + std::to_string(epochs_done + (next_batch ? 1 : 0)) +
         (next_batch ? " batch " + std::to_string(next_batch) : std::string(" end"));
}

struct SubjectFit::State {
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  FitConfig config;
  Scan scans[2];
  std::array<std::uint64_t, 2> input_hashes{0, 0};  // content_hash of each scan, kept in the checkpoint
  FieldDomain domain;
  io::Geometry grid;
  Evaluator evaluator;
  std::optional<io::Checkpoint> resumed;
  std::unique_ptr<FieldTrainer<float>> trainer;
  Matrix<float> query;                              // the whole grid's coordinates (released where a support is)
  Matrix<float> masked_query;                       // fast evaluation: the brain mask's voxels
  Kokkos::View<std::size_t*, MemSpace> mask_index;  // their voxel indices
  // The whole grid's prediction: with a residual correction, only the voxels
  // whose output reads the field (ResidualCorrection::support; none: all).
  // Its numbers are the whole grid's, so every evaluation predicts these.
  Matrix<float> support_query;
  Kokkos::View<std::size_t*, MemSpace> support_index;
  std::size_t predicted_voxels() const { return support_index.extent(0) > 0 ? support_index.extent(0) : grid.voxels(); }
  // The voxels an evaluation before the last predicts.
  std::size_t evaluated_voxels(bool fast) const {
    return fast && support_index.extent(0) == 0 && masked_query.extent(1) > 0 ? masked_query.extent(1)
                                                                               : predicted_voxels();
  }
  DeviceMask brain;                                 // the brain mask on the output grid (empty: none)
  // --brain-floor: per contrast, the lowest intensity its scan measured
  // inside the brain mask, in the scans' units (NaN: none).
  std::array<double, 2> floor{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  std::optional<DataConsistency> consistency;
  std::optional<ResidualCorrection> correction;
  FitPlan plan;
  std::string checkpoint_path;
  FitFileNames names;                   // of the written files
  std::array<std::vector<std::uint8_t>, 2> masks;  // the scans' masks, on the host
  Coverage coverage;                    // the output mask and each scan's field of view on the grid
  std::array<std::string, 2> input_sha256;
  std::optional<io::RigidTransform> registration;  // of scan 2 onto scan 1 (--register rigid)
  DeviceValues last[2];  // the last scored prediction per contrast, in [0, 1] units
  double seconds_per_voxel = 0;  // of a prediction: timed in the constructor, then by each evaluation
};

namespace {

std::string model_text(const FieldConfig& f) {
  std::string text = to_string(f.mlp.architecture) + " " + std::to_string(f.mlp.hidden) + "x" +
                     std::to_string(f.mlp.layers) + ", heads " + std::to_string(f.mlp.head_hidden);
  if (f.encoding.kind == "fourier") {
    std::ostringstream scale;
    scale << f.encoding.fourier_scale;
    text += ", FF " + std::to_string(f.encoding.fourier_features) + " x " + scale.str();
  } else {
    text += ", encoding " + f.encoding.kind;
  }
  return text;
}

// The scores of a metrics.csv row (columns by name).
std::optional<Scores> scores_of_row(const std::vector<std::string>& columns, const std::vector<double>& row) {
  std::map<std::string, double> named;
  for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i) named[columns[i]] = row[i];
  const auto mi = named.find("mi_pred");
  if (mi == named.end() || std::isnan(mi->second)) return std::nullopt;
  return Scores::from_named(named);
}

// The voxels of a mask: their indices, and their columns of coords.
void select_voxels(const DeviceMask& mask, const Matrix<float>& coords, Kokkos::View<std::size_t*, MemSpace>& index,
                   Matrix<float>& selected) {
  const std::size_t n = mask.extent(0);
  std::size_t count = 0;
  Kokkos::parallel_reduce(
      "mcinr::mask_count", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t v, std::size_t& sum) { sum += mask(v) ? 1 : 0; }, count);
  index = Kokkos::View<std::size_t*, MemSpace>("mask_index", count);
  selected = Matrix<float>("masked_query", 3, count);
  const auto idx = index;
  const auto out = selected;
  Kokkos::parallel_scan(
      "mcinr::mask_select", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t v, std::size_t& prefix, const bool final) {
        if (!mask(v)) return;
        if (final) {
          idx(prefix) = v;
          for (int r = 0; r < 3; ++r) out(r, prefix) = coords(r, v);
        }
        ++prefix;
      });
}

}  // namespace

// Predictions (in the scans' [0, 1] intensity units) clamped to [0, 1], or
// only from below.
void clamp_unit(const Matrix<float>& prediction, const bool above) {
  float* p = prediction.data();
  const float top = above ? 1.0f : std::numeric_limits<float>::infinity();
  Kokkos::parallel_for(
      "mcinr::clamp", Kokkos::RangePolicy<ExecSpace>(0, prediction.size()),
      KOKKOS_LAMBDA(const std::size_t i) { p[i] = p[i] < 0.0f ? 0.0f : (p[i] > top ? top : p[i]); });
}

// Inside the mask, each contrast's prediction (in its scan's [0, 1] units)
// lifted to its floor (in the scan's units; NaN: left as it is).
void lift_to_floor(const Matrix<float>& prediction, const DeviceMask& mask, const Scan scans[2],
                   const std::array<double, 2>& floor) {
  for (int c = 0; c < 2; ++c) {
    if (std::isnan(floor[c])) continue;
    const auto column = Kokkos::subview(prediction, Kokkos::ALL(), c);
    const float f = float((floor[c] - scans[c].lo) / (double(scans[c].hi) - scans[c].lo));
    Kokkos::parallel_for(
        "mcinr::brain_floor", Kokkos::RangePolicy<ExecSpace>(0, column.extent(0)), KOKKOS_LAMBDA(const std::size_t v) {
          if (mask(v) && column(v) < f) column(v) = f;
        });
  }
}

// The metrics read nothing outside the brain mask but its range; the
// residual correction reads nothing outside its support.
void expand_masked(const Matrix<float>& part, const Kokkos::View<std::size_t*, MemSpace>& index,
                   const Matrix<float>& full, const bool fill_with_minimum) {
  for (int c = 0; c < 2; ++c) {
    const auto column = Kokkos::subview(part, Kokkos::ALL(), c);
    float lo = 0;
    if (fill_with_minimum)
      Kokkos::parallel_reduce(
          "mcinr::masked_min", Kokkos::RangePolicy<ExecSpace>(0, column.extent(0)),
          KOKKOS_LAMBDA(const std::size_t i, float& m) { m = column(i) < m ? column(i) : m; }, Kokkos::Min<float>(lo));
    const auto target = Kokkos::subview(full, Kokkos::ALL(), c);
    Kokkos::deep_copy(target, lo);
    Kokkos::parallel_for(
        "mcinr::masked_scatter", Kokkos::RangePolicy<ExecSpace>(0, column.extent(0)),
        KOKKOS_LAMBDA(const std::size_t i) { target(index(i)) = column(i); });
  }
}

namespace {

// What a finished fit writes beside its checkpoint, in the order it writes
// them at the end (metrics.csv also after each epoch); summary.json, the
// last, lists them all.
std::vector<std::string> fit_outputs(const FitFileNames& n) {
  std::vector<std::string> names;
  for (int c = 0; c < 2; ++c) names.push_back(n.volume[c]);
  for (int c = 0; c < 2; ++c) names.push_back(n.sidecar[c]);
  for (int c = 0; c < 2; ++c) names.push_back(n.scan_mask[c]);
  for (int c = 0; c < 2; ++c) names.push_back(n.coverage[c]);
  for (const char* name : {"slices.png", "report.html", "metrics.csv", "summary.json"}) names.push_back(name);
  return names;
}

// An upper bound of what the model and one batch need, from the options,
// checked before anything is allocated: the parameters with their
// gradients and Adam moments (16 B each), and per sample of a batch (times
// the slice profile's points) the layers' activations, pre-activations and
// gradients (12 B per unit).
void require_training_memory(const FitConfig& c) {
  const EncodingConfig& e = c.field.encoding;
  const MlpConfig& m = c.field.mlp;
  const bool fourier = e.kind.find("fourier") != std::string::npos;
  const bool hash = e.kind.find("hashgrid") != std::string::npos;
  const double inputs = (fourier ? 2.0 * e.fourier_features : 0) + (hash ? double(e.hash_levels) * e.hash_features : 0);
  const double table = hash ? double(e.hash_levels) * e.hash_features * std::ldexp(1.0, e.hash_log2_table) : 0;
  const double hidden = m.hidden, head = m.head_hidden > 0 ? m.head_hidden : std::max(1, m.hidden / 2);
  const double parameters = table + (inputs + 1) * hidden + (hidden + 1) * hidden * m.layers + 2 * (hidden + 1) * head;
  const double units = inputs + hidden * (m.layers + 1) + 2 * head + 2;
  const double points = c.slice_profile == ProfileKind::point ? 1 : std::max(1, c.train.profile_samples);
  const double needed = 16 * parameters + 12 * units * double(c.train.batch_size) * points;
  const double limit = double(backends::host_memory_bytes());
  if (limit <= 0 || needed <= limit) return;
  throw InputError("the model and its batches would need " + gigabytes(needed) + " of memory (--hidden " +
                   std::to_string(m.hidden) + ", --layers " + std::to_string(m.layers) + ", --batch-size " +
                   std::to_string(c.train.batch_size) + "), more than the " + gigabytes(limit) +
                   " this process may use");
}

// ".<name>.XXXXXX" folders (io::AtomicFile) of the fit's own files: what a
// kill in the middle of a write leaves.
void remove_stale_temporaries(const fs::path& out, const std::vector<std::string>& outputs) {
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    auto is_temporary_of = [&](const std::string& file) {
      return name.size() == file.size() + 8 && name.compare(0, file.size() + 2, "." + file + ".") == 0;
    };
    const bool ours = is_temporary_of("checkpoint.h5") ||
                      std::any_of(outputs.begin(), outputs.end(), is_temporary_of);
    if (ours && entry.is_directory() && !entry.is_symlink()) stale.push_back(entry.path());
  }
  for (const auto& path : stale) fs::remove_all(path);
}

std::optional<Scores> last_scores(const io::MetricTable& table) {
  for (std::size_t r = table.rows(); r-- > 0;)
    if (auto s = scores_of_row(table.columns(), table.row(r))) return s;
  return std::nullopt;
}

}  // namespace

SubjectFit::SubjectFit(const FitConfig& input) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.config = input.resolved();
  const FitConfig& c = s.config;
  // Inputs, read and checked before anything is written.
  const MaskMode mask_mode = parse_mask_mode(c.mask_mode);
  for (int i = 0; i < 2; ++i) s.scans[i] = load_scan(c.image[i], c.mask[i], mask_mode);
  s.names = fit_file_names(c.image);
  // The checkpoint knows its inputs by their content as read (before any
  // registration, whose result a resume takes from the fit's .tfm).
  for (int i = 0; i < 2; ++i) s.input_hashes[i] = content_hash(s.scans[i]);
  require_overlap(s.scans[0], c.image[0], s.scans[1], c.image[1]);
  align_scans(s);
  s.domain = fit_domain(s.scans[0].volume.geometry, s.scans[1].volume.geometry);
  s.grid = !c.reference.empty() ? reference_grid(read_volume(c.reference).geometry, c.spacing)
                                : union_grid(s.scans[0].volume.geometry, s.scans[1].volume.geometry, c.spacing);
  // Per voxel: its coordinates (12 B), the prediction and the last one
  // (16), ground truth (8), masks and coverage (5), and the host copies a
  // volume is written from (8).
  require_grid_memory(s.grid, 52);
  if (c.dtype == "int16")
    for (int i = 0; i < 2; ++i)
      require(s.scans[i].lo >= -32768 && s.scans[i].hi <= 32767,
              "--dtype int16: " + c.image[i] + "'s intensities (" + std::to_string(s.scans[i].lo) + " .. " +
                  std::to_string(s.scans[i].hi) + ") do not fit in int16; write float32");
  std::optional<std::array<DeviceVolume, 2>> truth;
  if (!c.gt[0].empty()) {
    truth.emplace();
    for (int i = 0; i < 2; ++i) {
      (*truth)[i] = load_volume(c.gt[i]);
      require_same_grid((*truth)[i].geometry, c.gt[i], s.grid, "the output grid");
    }
  }
  const DeviceMask brain = load_mask(c.brain_mask, s.grid);
  s.brain = brain;
  for (int i = 0; i < 2; ++i) s.masks[i] = host_mask(s.scans[i].mask);
  s.coverage = output_coverage({s.scans[0].volume.geometry, s.scans[1].volume.geometry}, {&s.masks[0], &s.masks[1]},
                               s.grid);
  if (brain.extent(0) > 0) {
    const std::vector<std::uint8_t> on_host = host_mask(brain);
    // The brain mask's voxels are scored: they are written too.
    include_in_output_mask(s.coverage, on_host);
    for (int i = 0; c.brain_floor && i < 2; ++i) s.floor[i] = lowest_inside(s.scans[i], s.grid, on_host);
  }
  require(s.coverage.inside_count > 0 || c.no_mask_output,
          "the scans' masks do not reach the output grid (" + s.grid.summary() +
              "): every output voxel would be masked; choose another grid, or give --no-mask-output");

  s.checkpoint_path = (fs::path(c.out) / "checkpoint.h5").string();
  if (c.resume && fs::exists(s.checkpoint_path))
    s.resumed = read_checkpoint_file(s.checkpoint_path);
  else
    require(!fs::exists(s.checkpoint_path),
            s.checkpoint_path + " exists: continue it with --resume, or choose another --out");
  // Never onto an input, never over another fit's results unasked.
  const std::vector<std::string> inputs = {c.image[0], c.image[1], c.mask[0],    c.mask[1],
                                           c.gt[0],    c.gt[1],    c.brain_mask, c.reference};
  for (const std::string& name : fit_outputs(s.names))
    require_not_input((fs::path(c.out) / name).string(), inputs);
  if (!s.resumed && !c.overwrite)
    for (const std::string& name : {std::string("summary.json"), s.names.volume[0], s.names.volume[1]})  // a finished fit's
      require(!fs::exists(fs::path(c.out) / name),
              c.out + " holds the results of another fit (" + name + "): choose another --out, or give --overwrite");
  for (int i = 0; i < 2; ++i) s.input_sha256[i] = io::file_sha256(c.image[i]);

  require_training_memory(c);
  std::vector<mcinr::SliceProfile> profiles;  // per contrast; empty: point samples
  try {
    FieldConfig field = c.field;
    if (field.encoding.domain_mm <= 0) field.encoding.domain_mm = s.domain.hi - s.domain.lo;  // mm resolutions
    SampleSet<float> samples = make_samples(s.scans, s.domain, c.mask_margin, c.background);
    if (c.slice_profile != ProfileKind::point)
      for (int i = 0; i < 2; ++i)
        profiles.push_back(slice_profile(s.scans[i], s.domain, c.slice_profile, c.slice_thickness));
    samples.profiles = profiles;
    s.trainer = std::make_unique<FieldTrainer<float>>(field, c.train, std::move(samples));
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
  if (s.resumed) {
    require_same_fit(*s.resumed, s.checkpoint_path, c, *s.trainer, s.domain, s.grid, s.input_hashes);
    restore_training(*s.resumed, s.checkpoint_path, *s.trainer);
  }
  s.query = grid_coordinates(s.grid, s.domain);
  s.evaluator = Evaluator(s.grid, brain, truth);
  if (c.fast_evaluation && brain.extent(0) > 0) select_voxels(brain, s.query, s.mask_index, s.masked_query);
  if (c.data_consistency) s.consistency.emplace(s.scans, s.grid);
  if (c.residual_correction) {
    ResidualCorrection::Options o;
    o.mask_margin_mm = c.mask_margin;
    o.background = c.background;
    o.detail_mm = c.residual_detail_mm;
    o.detail_power = c.residual_detail_power;
    o.profiles = profiles;
    o.profile_points = c.train.profile_samples;
    s.correction.emplace(s.scans, s.domain, s.grid, s.coverage.measured, o);
    const DeviceMask support = s.correction->support();
    if (support.extent(0) > 0) select_voxels(support, s.query, s.support_index, s.support_query);
  }

  FitPlan& p = s.plan;
  p.backend = backends::describe(backends::device_info());
  p.images = c.image;
  p.scan_grids = {s.scans[0].volume.geometry, s.scans[1].volume.geometry};
  for (int i = 0; i < 2; ++i) {
    char line[400];
    std::snprintf(line, sizeof line, "scan %d mask: %s, %.1f%% of its field of view", i + 1,
                  s.scans[i].mask_method.c_str(), 100.0 * s.scans[i].mask_share);
    p.notes.push_back(line);
    // A mask over nearly all of a scan is no mask: background noise, most likely.
    if (s.scans[i].mask_share > 0.9)
      p.warnings.push_back("scan " + std::to_string(i + 1) + "'s mask covers " +
                           std::to_string(int(100 * s.scans[i].mask_share)) +
                           "% of its field of view: its background is not masked, so --mask-margin saves nothing "
                           "and the outputs are hardly masked (give --mask1/--mask2, or --mask auto)");
  }
  for (int i = 0; i < 2; ++i) {
    char line[400];
    std::snprintf(line, sizeof line,
                  "%s: %.1f%% of the output mask lies outside scan %d's field of view: %s there (%s)",
                  s.names.prefix[i].c_str(), 100.0 * s.coverage.invented_share[i], i + 1,
                  c.outside_fov == "zero" ? "written as 0" : "the field invents it from the other contrast",
                  s.names.coverage[i].c_str());
    p.notes.push_back(line);
  }
  if (c.brain_floor) {
    if (brain.extent(0) == 0) {
      p.warnings.push_back("--brain-floor without a brain mask (--brain-mask) does nothing");
    } else {
      std::string line = "brain floor: inside the brain mask,";
      for (int i = 0; i < 2; ++i) {
        char value[64];
        std::snprintf(value, sizeof value, "at least %.6g", s.floor[i]);
        line += std::string(i ? " and " : " ") + s.names.prefix[i] + " " +
                (std::isnan(s.floor[i]) ? std::string("as it is (no voxel of its scan lies there)") : value);
      }
      p.notes.push_back(line + " (the lowest each scan measured there)");
    }
  }
  if (s.support_index.extent(0) > 0) {
    char line[300];
    std::snprintf(line, sizeof line,
                  "output prediction: %zu of the grid's %zu voxels (%.1f%%) read the field; the residual correction "
                  "makes the rest the scans' own interpolation",
                  s.support_index.extent(0), s.grid.voxels(),
                  100.0 * double(s.support_index.extent(0)) / double(s.grid.voxels()));
    p.notes.push_back(line);
  }
  {
    // Two scans thick along the same world direction leave the same gaps:
    // the method gains little from the pair.
    auto thick_direction = [](const io::Geometry& g) {
      const int a = g.thickest_axis();
      return std::array<double, 3>{g.direction[a], g.direction[3 + a], g.direction[6 + a]};
    };
    const auto a = thick_direction(p.scan_grids[0]), b = thick_direction(p.scan_grids[1]);
    if (p.scan_grids[0].anisotropic() && p.scan_grids[1].anisotropic() &&
        std::fabs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) > 0.9)
      p.warnings.push_back(
          "both scans are thick along the same direction: their gaps coincide, so the field has "
          "little to fill them from (the method needs two orientations, e.g. axial and coronal)");
  }
  p.batch_size = c.train.batch_size;
  p.samples = s.trainer->sample_count();
  p.parameters = s.trainer->field().parameter_count();
  p.model = model_text(s.trainer->field_config());
  p.grid = s.grid;
  p.with_truth = truth.has_value();
  p.checkpoint = s.checkpoint_path;

  // The plan's estimates, from a timed prediction of a slab of the grid: a
  // training step costs about three predictions per sample (forward,
  // backward, Adam), times the slice profile's points.
  {
    const std::size_t n = std::min<std::size_t>(s.query.extent(1), 65536);
    Matrix<float> coords("timing_coords", 3, n);
    Kokkos::deep_copy(coords, Kokkos::subview(s.query, Kokkos::ALL(), std::make_pair(std::size_t(0), n)));
    Matrix<float> out("timing_prediction", n, 2);
    s.trainer->predict(coords, out);  // once to warm up, then timed
    Kokkos::fence();
    const auto t0 = std::chrono::steady_clock::now();
    s.trainer->predict(coords, out);
    Kokkos::fence();
    s.seconds_per_voxel =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / double(std::max<std::size_t>(1, n));
    const double points = c.slice_profile == ProfileKind::point ? 1 : std::max(1, c.train.profile_samples);
    p.epoch_seconds_estimate = 3 * points * s.seconds_per_voxel * double(p.samples);
    p.predicted_voxels = s.predicted_voxels();
    p.prediction_seconds_estimate = s.seconds_per_voxel * double(p.predicted_voxels);
  }
  // With a support nothing predicts the whole grid: its coordinates (12
  // bytes a voxel) need not stay.
  if (s.support_index.extent(0) > 0) s.query = Matrix<float>();
}

SubjectFit::~SubjectFit() = default;

const FitConfig& SubjectFit::config() const { return state_->config; }
const FitPlan& SubjectFit::plan() const { return state_->plan; }

FitOutcome SubjectFit::run(FitObserver& observer, const StopRequested& stop) {
  State& s = *state_;
  const FitConfig& c = s.config;
  FieldTrainer<float>& trainer = *s.trainer;
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  auto elapsed = [&] { return seconds_since(started); };
  auto stopped = [&] { return stop && stop(); };

  try {
    fs::create_directories(c.out);
  } catch (const fs::filesystem_error& e) {
    throw InputError(c.out + ": cannot create the output folder (" + e.code().message() + ")");
  }
  require(::access(c.out.c_str(), W_OK) == 0, c.out + ": the output folder is not writable");
  const fs::path out(c.out);
  // One fit per folder at a time; then, under the lock, what a killed
  // writer left is cleared: temporary folders of our files, and before a
  // fresh start (--overwrite) the earlier fit's outputs, so no stale volume
  // can pass for this fit's.
  std::optional<io::FolderLock> lock;
  try {
    lock.emplace(c.out);
  } catch (const io::FolderInUse& e) {
    throw InputError(e.what());
  }
  std::vector<std::string> outputs = fit_outputs(s.names);
  outputs.push_back(s.names.transform);
  remove_stale_temporaries(out, outputs);
  if (!s.resumed)
    for (const std::string& name : outputs) fs::remove(out / name);
  // The registration's transform, before the first checkpoint: a resume
  // takes it from here.
  if (s.registration && !s.resumed) io::write_transform((out / s.names.transform).string(), *s.registration);

  FitOutcome outcome;
  outcome.checkpoint = s.checkpoint_path;
  observer.planned(s.plan);

  // With ground truth, classical interpolation of each scan is scored once,
  // so the fit can be judged against it.
  if (s.evaluator.has_truth())
    for (const auto& [name, order] : {std::pair<const char*, int>{"linear", 1}, {"bspline", 3}}) {
      outcome.baselines[name] = s.evaluator.score_interpolation(s.scans, order);
      observer.baseline(name, outcome.baselines[name]);
    }

  std::vector<std::string> columns = {"epoch", "lr", "loss", "seconds", "samples_per_s"};
  for (const auto& name : s.evaluator.has_truth() ? Scores::names() : Scores::names_without_truth())
    columns.push_back(name);
  io::MetricTable table(columns);
  MiEarlyStopping stopping;
  EpochPosition from;
  // A finished fit whose outputs are not all there (killed between its final
  // checkpoint and its last output): its outputs are written again from the
  // checkpoint, without training.
  bool rewrite_outputs = false;
  std::string stop_reason = "epochs";
  if (s.resumed) {
    const io::Checkpoint& r = *s.resumed;
    require(r.metric_columns == columns, s.checkpoint_path + ": its metric table has other columns");
    for (const auto& row : r.metric_rows) table.add_row(row);
    stopping.restore({r.mi_window.begin(), r.mi_window.end()}, r.mi_previous, r.mi_has_previous);
    if (!r.stop_reason.empty() && missing_fit_output(c.out).empty() && fs::is_regular_file(out / s.names.volume[0])) {
      outcome.status = FitOutcome::Status::already_complete;
      outcome.epochs_done = r.epochs_done;
      outcome.stop_reason = r.stop_reason;
      outcome.final_scores = last_scores(table);
      return outcome;
    }
    rewrite_outputs = !r.stop_reason.empty();
    if (rewrite_outputs) stop_reason = r.stop_reason;
    const ResumePoint point{s.checkpoint_path, r.epochs_done, r.next_batch};
    outcome.resumed_at = point.text();
    observer.resumed(point);
    from = {r.next_batch, r.next_batch ? r.epoch_loss_sum : 0.0};
  }

  auto save_checkpoint = [&](std::uint64_t next_batch, double loss_sum, const std::string& reason) {
    io::Checkpoint k;
    capture_training(trainer, k);
    k.settings = c.settings();
    k.inputs = c.image;
    k.input_hashes = s.input_hashes;
    k.next_batch = next_batch;
    k.epoch_loss_sum = loss_sum;
    k.domain_lo = s.domain.lo;
    k.domain_hi = s.domain.hi;
    k.domain_ras = s.domain.ras;
    k.intensity_lo = {s.scans[0].lo, s.scans[1].lo};
    k.intensity_hi = {s.scans[0].hi, s.scans[1].hi};
    k.grid = s.grid;
    k.mi_window.assign(stopping.window().begin(), stopping.window().end());
    k.mi_previous = stopping.previous();
    k.mi_has_previous = stopping.has_previous();
    k.stop_reason = reason;
    k.metric_columns = table.columns();
    for (std::size_t i = 0; i < table.rows(); ++i) k.metric_rows.push_back(table.row(i));
    io::write_checkpoint(s.checkpoint_path, k);
  };
  // A stop request: checkpoint where training stands (inside epoch
  // epochs_done + 1 at next_batch; next_batch == batches: trained, its
  // evaluation still to do).
  auto interrupted = [&](std::uint64_t next_batch, double loss_sum, const std::string& where) {
    Kokkos::fence();
    save_checkpoint(next_batch, loss_sum, "");
    outcome.status = FitOutcome::Status::interrupted;
    outcome.epochs_done = trainer.epochs_done();
    outcome.next_batch = next_batch;
    outcome.where = where;
    outcome.seconds = elapsed();
    outcome.final_scores = last_scores(table);
    return outcome;
  };

  const int epochs = c.train.epochs;
  const std::size_t batches = trainer.batches_per_epoch();
  const std::size_t samples = trainer.sample_count();
  Matrix<float> prediction("prediction", s.grid.voxels(), 2);
  auto& last = s.last;
  bool last_full = false;  // `last` has the whole grid's numbers (not only the brain mask's)

  // One evaluation: the whole grid (with a foreground fit's residual
  // correction, its support: the same numbers), or (fast evaluation,
  // otherwise) only the brain mask's voxels, the rest set to the mask's
  // minimum. Empty where a stop request came first: a large grid's
  // evaluation is long on CPUs (80 s for BraTS), longer than Slurm's grace
  // before SIGKILL, so it gives up between its stages.
  double predict_seconds = 0, correct_seconds = 0, score_seconds = 0;
  // The last prediction of the whole grid (the written volumes) reports its
  // progress: on large grids it takes minutes.
  bool announce = false;
  auto evaluate = [&](bool full) -> std::optional<Scores> {
    const bool masked = !full && s.evaluated_voxels(true) < s.predicted_voxels();
    const auto t0 = Clock::now();
    signal_if_asked_at_evaluation();
    if (stopped()) return std::nullopt;
    if (masked) {
      Matrix<float> part("masked_prediction", s.masked_query.extent(1), 2);
      if (!trainer.predict(s.masked_query, part, stop)) return std::nullopt;
      expand_masked(part, s.mask_index, prediction);
    } else {
      PredictProgress progress;
      if (announce)
        progress = [&](std::size_t done, std::size_t total) { observer.predicting(done, total, seconds_since(t0)); };
      if (s.support_index.extent(0) > 0) {
        Matrix<float> part("support_prediction", s.support_index.extent(0), 2);
        if (!trainer.predict(s.support_query, part, stop, progress)) return std::nullopt;
        expand_masked(part, s.support_index, prediction, false);
      } else if (!trainer.predict(s.query, prediction, stop, progress)) {
        return std::nullopt;
      }
    }
    predict_seconds = seconds_since(t0);
    const double predicted = double(masked ? s.masked_query.extent(1) : s.predicted_voxels());
    if (predicted > 0 && predict_seconds > 0) s.seconds_per_voxel = predict_seconds / predicted;
    const auto tc = Clock::now();
    if (s.correction && !s.correction->apply(trainer.field(), prediction, stop)) return std::nullopt;
    // A slab's average lies under the brightest voxel in it: with a slice
    // profile the scan's maximum is no bound.
    if (c.clamp) clamp_unit(prediction, c.slice_profile == ProfileKind::point);
    if (s.brain.extent(0) > 0) lift_to_floor(prediction, s.brain, s.scans, s.floor);
    if (s.consistency) s.consistency->apply(prediction);
    correct_seconds = seconds_since(tc);
    const auto t1 = Clock::now();
    // The reference stretches each prediction to [0, 1]; corrected outputs
    // keep the scans' units, so that measured voxels keep their values, and
    // so do floored ones, so that the floor stays what the scans measured.
    const bool floored = !std::isnan(s.floor[0]) || !std::isnan(s.floor[1]);
    const bool stretch = !s.correction && !s.consistency && !floored;
    DeviceValues pred[2] = {unit_scaled(prediction, 0, stretch), unit_scaled(prediction, 1, stretch)};
    std::optional<Scores> scores = s.evaluator.score(pred, stop);
    score_seconds = seconds_since(t1);
    if (scores) {
      last[0] = pred[0], last[1] = pred[1];
      last_full = !masked;
    }
    return scores;
  };

  // A time budget: epoch 1 runs at the full rate and is evaluated, which
  // measures the speed of training and of an evaluation; the rest of the
  // budget, less the final evaluation and the writing, becomes the number
  // of steps the cosine falls over. Training also stops at a hard deadline.
  const bool budgeted = c.time_budget > 0;
  const auto deadline =
      s.created + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.time_budget));
  double reserve = 0;  // seconds kept for the final evaluation and the writing
  bool planned = !budgeted || trainer.train_config().total_steps > 0;
  const std::uint64_t all_steps = std::uint64_t(epochs) * batches;  // the most --epochs allows
  if (budgeted && !planned) trainer.set_step_plan(all_steps, all_steps);
  std::uint64_t steps_done = std::uint64_t(trainer.epochs_done()) * batches + from.next_batch;
  bool out_of_budget = false;
  const StopRequested training_stop = [&] {
    if (stopped()) return true;
    if (!budgeted) return false;
    if (planned && steps_done >= trainer.train_config().total_steps) return out_of_budget = true;
    if (Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(reserve)) >= deadline)
      return out_of_budget = true;
    return false;
  };
  auto observe = [&](const BatchProgress& p) {
    steps_done = std::uint64_t(p.epoch - 1) * batches + p.batch;
    const double rate = p.seconds > 0 ? double(p.samples) / p.seconds : 0.0;
    double remaining =
        double(batches - p.batch) * double(c.train.batch_size) + double(samples) * double(epochs - p.epoch);
    if (budgeted && planned)
      remaining =
          double(trainer.train_config().total_steps - std::min(steps_done, trainer.train_config().total_steps)) *
          double(c.train.batch_size);
    double eta = rate > 0 ? remaining / rate : 0.0;
    // The evaluations still to come: this epoch's and later ones where
    // scored, the last predicting the whole grid for the written volumes.
    if (!budgeted) {
      const bool per_epoch = s.evaluator.has_truth() || c.early_stopping;
      const double part = double(s.evaluated_voxels(c.fast_evaluation));
      double voxels = double(s.predicted_voxels());
      for (int e = p.epoch; e < epochs; ++e)
        if (per_epoch && e % c.eval_every == 0) voxels += part;
      eta += voxels * s.seconds_per_voxel + score_seconds;
    }
    // A planned budget keeps `reserve` for the final prediction and writing.
    if (budgeted && planned) eta += reserve;
    // Before the plan (epoch 1 of a budgeted fit) the budget is the estimate.
    if (budgeted && !planned)
      eta = std::min(eta, std::max(0.0, std::chrono::duration<double>(deadline - Clock::now()).count()));
    observer.training(p, eta);
  };
  // The steps the rest of the budget (less the reserve) allows at an
  // epoch's speed.
  auto steps_left = [&](double epoch_seconds) -> std::uint64_t {
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count() - reserve;
    const double steps_per_second = double(batches) / std::max(1e-9, epoch_seconds);
    return left > 0 ? std::uint64_t(0.97 * left * steps_per_second) : 0;
  };
  while (!rewrite_outputs && trainer.epochs_done() < epochs) {
    const int e = trainer.epochs_done();
    const EpochResult result = trainer.run_epoch(from, training_stop, observe);
    from = {};
    if (result.diverged) {
      char lr[32];
      std::snprintf(lr, sizeof lr, "%.3g", result.diverged_lr);
      throw std::runtime_error(
          "diverged at epoch " + std::to_string(e + 1) + " batch " + std::to_string(result.position.next_batch) +
          " (lr " + lr + "): the loss is not finite; " +
          (fs::exists(s.checkpoint_path) ? "the last good checkpoint is kept in " + s.checkpoint_path
                                         : std::string("no checkpoint was written")) +
          " (a lower --lr may help)");
    }
    bool last_epoch = e + 1 == epochs;
    EpochStats stats = result.stats;
    if (!result.finished) {
      if (!out_of_budget || stopped())
        return interrupted(result.position.next_batch, result.position.loss_sum,
                           "in epoch " + std::to_string(e + 1) + " at batch " +
                               std::to_string(result.position.next_batch) + "/" + std::to_string(batches));
      // The budget ends training inside this epoch: it counts as the last.
      stats.loss = result.position.loss_sum / double(std::max<std::uint64_t>(1, result.position.next_batch));
      trainer.set_epochs_done(e + 1);
      last_epoch = true;
      stop_reason = "budget";
    }
    EpochReport report;
    report.stats = stats;
    report.epochs = epochs;
    // Without ground truth an evaluation yields one MI number at the price of
    // predicting the grid: only early stopping reads it, so without that the
    // fit evaluates at the end (and once early on where a time budget plans
    // from the evaluation's cost).
    const bool per_epoch = s.evaluator.has_truth() || c.early_stopping;
    report.scored = (per_epoch && (e + 1) % c.eval_every == 0) || last_epoch || (budgeted && !planned);
    std::vector<double> row = {double(e + 1), stats.lr, stats.loss, stats.seconds, stats.samples_per_second};
    row.resize(columns.size(), NAN);
    bool early_stop = false;
    if (report.scored) {
      announce = last_epoch;
      const std::optional<Scores> scores = evaluate(last_epoch || !c.fast_evaluation);
      announce = false;
      if (!scores) {
        trainer.set_epochs_done(e);
        return interrupted(batches, result.position.loss_sum, "at the evaluation of epoch " + std::to_string(e + 1));
      }
      report.scores = *scores;
      report.evaluation_seconds = predict_seconds + correct_seconds + score_seconds;
      report.predict_seconds = predict_seconds;
      report.correct_seconds = correct_seconds;
      report.score_seconds = score_seconds;
      report.evaluated_voxels = last_full ? s.predicted_voxels() : s.masked_query.extent(1);
      const auto values = scores->values();
      for (std::size_t i = 5; i < columns.size(); ++i) row[i] = values[i - 5];
      if (c.early_stopping && stopping.update(scores->mi_pred)) {
        early_stop = true;
        stop_reason = "mi";
      }
    }
    if (budgeted && planned && reserve > 0 && !last_epoch && result.finished && stats.seconds > 0) {
      // Later epochs re-plan from their own speed (a slow first epoch, a
      // busy node), keeping the cosine's progress, so its rate does not jump.
      const TrainConfig& t = trainer.train_config();
      const std::uint64_t total = std::min(all_steps, steps_done + steps_left(stats.seconds));
      if (total > steps_done) {
        trainer.set_step_plan(total, replanned_constant_steps(t.total_steps, t.constant_steps, steps_done, total));
      } else {
        last_epoch = true;  // the budget is spent: the final evaluation follows the loop
        stop_reason = "budget";
      }
    }
    if (budgeted && !planned) {
      // Epoch 1 measured the speeds: plan the rest of the budget.
      const double full_predict = s.masked_query.extent(1) > 0 && !last_full
                                      ? predict_seconds * double(s.predicted_voxels()) / double(s.masked_query.extent(1))
                                      : predict_seconds;
      reserve = 1.2 * (full_predict + correct_seconds + score_seconds) + 0.5 + 6e-7 * double(s.grid.voxels());
      const std::uint64_t more = steps_left(stats.seconds);
      trainer.set_step_plan(std::min(all_steps, steps_done + more), steps_done);
      planned = true;
      if (more == 0) {
        last_epoch = true;
        stop_reason = "budget";
        if (!last_full) {
          const std::optional<Scores> scores = evaluate(true);
          if (scores) {
            const auto values = scores->values();
            for (std::size_t i = 5; i < columns.size(); ++i) row[i] = values[i - 5];
            report.scores = *scores;
          }
        }
      }
    }
    table.add_row(row);
    table.write((out / "metrics.csv").string());
    observer.epoch_done(report);
    if (early_stop) {
      observer.early_stopped(e + 1);
      break;
    }
    if (last_epoch) break;
    if ((e + 1) % c.checkpoint_every == 0) save_checkpoint(0, 0, "");
  }
  if (!last_full) {
    // The written volumes come from the whole grid: the last evaluation
    // predicted only the brain mask (early stopping), so predict again and
    // score the whole protocol into the last row.
    announce = true;
    const std::optional<Scores> scores = evaluate(true);
    if (!scores) throw std::runtime_error("the final prediction was stopped");
    std::vector<double> row = table.row(table.rows() - 1);
    const auto values = scores->values();
    for (std::size_t i = 5; i < columns.size(); ++i) row[i] = values[i - 5];
    table.set_row(table.rows() - 1, row);
    table.write((out / "metrics.csv").string());
  }
  outcome.seconds = elapsed();
  outcome.status = FitOutcome::Status::finished;
  outcome.epochs_done = trainer.epochs_done();
  outcome.stop_reason = stop_reason;
  outcome.final_scores = last_scores(table);

  save_checkpoint(0, 0, stop_reason);
  write_outputs(s, outcome, table);
  outcome.seconds = elapsed();
  io::write_file_atomically((out / "summary.json").string(), fit_summary_json(c, s.plan, outcome));
  return outcome;
}

void SubjectFit::write_outputs(State& s, FitOutcome& outcome, const io::MetricTable& table) {
  const FitConfig& c = s.config;
  const fs::path out(c.out);
  const io::VoxelType dtype = io::parse_voxel_type(c.dtype);
  // The written volumes: masked to the output mask, blank outside a scan's
  // field of view where asked, cropped to the mask's box where asked.
  const std::vector<long> box = c.crop_to_mask ? mask_box(s.coverage, 4) : std::vector<long>{};
  auto cropped = [&](const io::Volume& v) { return box.empty() ? v : crop(v, box); };
  std::array<io::Volume, 2> written;
  for (int i = 0; i < 2; ++i) {
    io::Volume v = rescaled(s.grid, s.last[i], s.scans[i].lo, s.scans[i].hi);
    for (std::size_t x = 0; x < v.voxels.size(); ++x)
      if ((!c.no_mask_output && !s.coverage.inside[x]) || (c.outside_fov == "zero" && !s.coverage.measured[i][x]))
        v.voxels[x] = 0;
    written[i] = cropped(v);
    const std::string path = (out / s.names.volume[i]).string();
    io::write_nifti(path, written[i], dtype);
    outcome.written.push_back(path);
  }
  for (int i = 0; i < 2; ++i) {
    const std::string path = (out / s.names.sidecar[i]).string();
    io::write_file_atomically(path, volume_sidecar_json(s, i));
    outcome.written.push_back(path);
  }
  for (int i = 0; i < 2; ++i) {
    io::Volume mask;
    mask.geometry = s.scans[i].volume.geometry;
    mask.voxels.assign(s.masks[i].begin(), s.masks[i].end());
    const std::string path = (out / s.names.scan_mask[i]).string();
    io::write_nifti(path, mask, io::VoxelType::uint8);
    outcome.written.push_back(path);
  }
  std::array<io::Volume, 2> coverage;  // on the written volumes' grid
  for (int i = 0; i < 2; ++i) {
    coverage[i] = cropped(coverage_map(s.coverage, i));
    const std::string path = (out / s.names.coverage[i]).string();
    io::write_nifti(path, coverage[i], io::VoxelType::uint8);
    outcome.written.push_back(path);
  }
  {
    // Mid-slices of the written volumes, ground truth beside them where given.
    std::vector<io::Volume> truth;
    if (s.evaluator.has_truth())
      for (int i = 0; i < 2; ++i) truth.push_back(cropped(to_host(s.grid, s.evaluator.truth()[i].values)));
    std::vector<const io::Volume*> pictures;
    for (int i = 0; i < 2; ++i) {
      pictures.push_back(&written[i]);
      if (!truth.empty()) pictures.push_back(&truth[i]);
    }
    io::write_mid_slices((out / "slices.png").string(), pictures);
    // The report: the written volumes beside each scan's linear
    // interpolation onto their grid (masked alike), and the ground truth.
    std::array<io::Volume, 2> linear;
    for (int i = 0; i < 2; ++i) {
      linear[i] = io::resample(to_host(s.scans[i].volume.geometry, s.scans[i].volume.values), written[i].geometry, 1);
      if (!c.no_mask_output)
        for (std::size_t x = 0; x < linear[i].voxels.size(); ++x)
          if (coverage[i].voxels[x] == 0) linear[i].voxels[x] = 0;
    }
    io::FitReport report = fit_report(s, outcome, table);
    for (int i = 0; i < 2; ++i) {
      io::ReportPanels panels;
      panels.title = "contrast " + std::to_string(i + 1) + ": " + s.names.prefix[i];
      panels.columns.push_back({"linear interpolation of scan " + std::to_string(i + 1), &linear[i]});
      panels.columns.push_back({"mcinr", &written[i]});
      if (!truth.empty()) panels.columns.push_back({"ground truth", &truth[i]});
      report.panels.push_back(panels);
    }
    io::write_fit_report((out / "report.html").string(), report);
  }
  outcome.written.push_back((out / "metrics.csv").string());
  outcome.written.push_back((out / "slices.png").string());
  outcome.written.push_back((out / "report.html").string());
  if (s.registration) outcome.written.push_back((out / s.names.transform).string());
  outcome.written.push_back((out / "summary.json").string());
  outcome.written.push_back(s.checkpoint_path);
}

void SubjectFit::align_scans(State& s) {
  const FitConfig& c = s.config;
  const io::Volume a = to_host(s.scans[0].volume.geometry, s.scans[0].volume.values);
  io::Volume b = to_host(s.scans[1].volume.geometry, s.scans[1].volume.values);
  auto text = [](const char* format, auto... values) {
    char line[400];
    std::snprintf(line, sizeof line, format, values...);
    return std::string(line);
  };
  try {
    if (c.register_scans == "rigid") {
      // A resumed fit takes the transform it started with (registration's
      // last digits depend on the thread count); a fresh one registers.
      const fs::path saved = fs::path(c.out) / s.names.transform;
      const bool reuse = c.resume && fs::is_regular_file(fs::path(c.out) / "checkpoint.h5") && fs::is_regular_file(saved);
      const double before = io::mutual_information(a, b);
      s.registration = reuse ? io::read_transform(saved.string()) : io::register_rigid(a, b);
      b.geometry = io::corrected_geometry(b.geometry, *s.registration);
      s.scans[1].volume.geometry = b.geometry;
      const auto deg = s.registration->angles_degrees();
      const auto& t = s.registration->translation;
      s.plan.notes.push_back(text("scan 2 registered onto scan 1 (rigid, Mattes MI%s): rotation %.2f, %.2f, %.2f "
                                  "degrees, translation %.2f, %.2f, %.2f mm (LPS); MI %.4f -> %.4f (%s)",
                                  reuse ? ", the transform this fit started with" : "", deg[0], deg[1], deg[2], t[0],
                                  t[1], t[2], before, io::mutual_information(a, b), s.names.transform.c_str()));
    }
    const io::AlignmentCheck check = io::check_alignment(a, b);
    s.plan.notes.push_back("alignment: " + check.summary());
    if (check.misaligned)
      s.plan.warnings.push_back(
          text("the scans look misaligned: MI of scan 2 against scan 1 rises from %.4f at zero to %.4f at a shift of "
               "(%.1f, %.1f, %.1f) mm (LPS): the field would blur and double edges; register them first "
               "(mcinr register, or fit --register rigid)",
               check.mi_at_zero, check.mi_at_shift, check.shift[0], check.shift[1], check.shift[2]));
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("alignment: ") + e.what());
  }
}

io::FitReport SubjectFit::fit_report(const State& s, const FitOutcome& outcome, const io::MetricTable& table) {
  const FitConfig& c = s.config;
  const FitPlan& p = s.plan;
  io::FitReport r;
  r.title = "mcinr fit: " + s.names.prefix[0] + " + " + s.names.prefix[1];
  auto number = [](double v, const char* format) {
    char text[64];
    std::snprintf(text, sizeof text, format, v);
    return std::string(text);
  };
  r.summary.push_back({"mcinr", std::string(MCINR_VERSION_STRING) + " (" + MCINR_GIT_HASH + ")"});
  r.summary.push_back({"backend", p.backend});
  r.summary.push_back({"model", p.model + ", " + std::to_string(p.parameters) + " parameters"});
  r.summary.push_back({"epochs", std::to_string(outcome.epochs_done) + " (stopped by " + outcome.stop_reason + ")"});
  r.summary.push_back({"time", number(outcome.seconds, "%.1f s")});
  if (outcome.final_scores) {
    const Scores& f = *outcome.final_scores;
    r.summary.push_back({"MI(pred1, pred2)", number(f.mi_pred, "%.4f")});
    if (f.has_truth()) {
      r.summary.push_back({"mcinr PSNR / SSIM", number(f.psnr[0], "%.2f") + " / " + number(f.ssim[0], "%.4f") +
                                                    " (c1), " + number(f.psnr[1], "%.2f") + " / " +
                                                    number(f.ssim[1], "%.4f") + " (c2)"});
      r.summary.push_back({"MI(gt1, gt2)", number(f.mi_gt, "%.4f")});
    }
  }
  for (const auto& [name, b] : outcome.baselines)
    r.summary.push_back({name + " interpolation PSNR / SSIM", number(b.psnr[0], "%.2f") + " / " +
                                                                  number(b.ssim[0], "%.4f") + " (c1), " +
                                                                  number(b.psnr[1], "%.2f") + " / " +
                                                                  number(b.ssim[1], "%.4f") + " (c2)"});
  for (int i = 0; i < 2; ++i)
    r.geometry.push_back("scan " + std::to_string(i + 1) + " " + p.images[i] + ": " + p.scan_grids[i].summary());
  r.geometry.push_back("output grid: " + p.grid.summary() +
                       (c.crop_to_mask ? " (written cropped to the output mask's box)" : ""));
  for (const auto& note : p.notes) r.geometry.push_back(note);
  r.warnings = p.warnings;
  // Training curves from the metric table, by column name.
  const auto& columns = table.columns();
  auto column = [&](const std::string& name) {
    std::vector<double> values;
    const auto at = std::find(columns.begin(), columns.end(), name);
    for (std::size_t row = 0; row < table.rows(); ++row)
      values.push_back(at == columns.end() ? NAN : table.row(row)[std::size_t(at - columns.begin())]);
    return values;
  };
  const std::vector<double> epochs = column("epoch");
  auto curve = [&](const std::string& title, const std::string& y_label, const std::vector<std::string>& names,
                   const std::vector<std::string>& labels, bool log_y) {
    io::ReportCurve k;
    k.title = title;
    k.x_label = "epoch";
    k.y_label = y_label;
    k.x = epochs;
    k.log_y = log_y;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (std::find(columns.begin(), columns.end(), names[i]) != columns.end()) {
        k.series.push_back(labels[i]);
        k.y.push_back(column(names[i]));
      }
    if (!k.series.empty()) r.curves.push_back(k);
  };
  curve("training loss", "loss (MSE)", {"loss"}, {"loss"}, true);
  curve("mutual information", "MI (nats)", {"mi_pred", "mi_gt"}, {"MI(pred1, pred2)", "MI(gt1, gt2)"}, false);
  curve("PSNR", "dB", {"psnr1", "psnr2"}, {s.names.prefix[0], s.names.prefix[1]}, false);
  curve("SSIM", "SSIM", {"ssim1", "ssim2"}, {s.names.prefix[0], s.names.prefix[1]}, false);
  const nlohmann::ordered_json settings = fit_settings_json(c);  // kept: items() refers to it
  for (const auto& [name, value] : settings.items())
    r.settings.push_back({name, value.is_string() ? value.get<std::string>() : value.dump()});
  return r;
}

std::string SubjectFit::volume_sidecar_json(const State& s, int i) {
  using Json = nlohmann::ordered_json;
  const FitConfig& c = s.config;
  Json j;
  j["Description"] = "mcinr: contrast " + std::to_string(i + 1) + " (" + s.names.prefix[i] +
                     ") on an isotropic grid, from one neural field fitted to both scans";
  j["Sources"] = {c.image[0], c.image[1]};
  j["SourceHashes"] = {{c.image[0], s.input_sha256[0]}, {c.image[1], s.input_sha256[1]}};
  j["GeneratedBy"] = Json::array({{{"Name", "mcinr"}, {"Version", MCINR_VERSION_STRING}, {"Git", MCINR_GIT_HASH}}});
  j["Contrast"] = i + 1;
  j["ScanMask"] = s.scans[i].mask_method;
  j["Masked"] = !c.no_mask_output;
  j["OutsideFieldOfView"] = c.outside_fov;
  j["InventedShare"] = s.coverage.invented_share[i];
  // --brain-floor: the value this contrast was lifted to inside the brain
  // mask (the lowest its scan measured there), in the volume's units.
  if (!std::isnan(s.floor[i])) j["BrainFloor"] = s.floor[i];
  j["VoxelType"] = c.dtype;
  j["CroppedToMask"] = c.crop_to_mask;
  j["Settings"] = fit_settings_json(c);
  return j.dump(2) + "\n";
}

std::string missing_fit_output(const std::string& folder) {
  const fs::path summary = fs::path(folder) / "summary.json";
  if (!fs::is_regular_file(summary)) return summary.string();
  std::vector<std::string> names;
  try {
    const auto j = nlohmann::json::parse(io::read_text_file(summary.string()));
    if (j.contains("outputs"))
      names = j.at("outputs").get<std::vector<std::string>>();
    else  // written before the outputs were listed
      names = {"contrast1.nii.gz", "contrast2.nii.gz", "slices.png", "metrics.csv"};
  } catch (const std::exception&) {
    return summary.string();  // unreadable: the fit did not finish writing it
  }
  for (const std::string& name : names) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") return summary.string();
    if (!fs::is_regular_file(fs::path(folder) / name)) return (fs::path(folder) / name).string();
  }
  return "";
}

FitOutcome fit_subject(const FitConfig& config, FitObserver& observer, const StopRequested& stop) {
  return SubjectFit(config).run(observer, stop);
}

nlohmann::ordered_json fit_settings_json(const FitConfig& config) {
  using Json = nlohmann::ordered_json;
  Json settings = Json::object();
  for (const FitOption& option : fit_options()) {
    const std::string value = option.get(config);
    switch (option.kind) {
      case FitOption::Kind::flag:
        settings[option.name] = value == "true";
        break;
      case FitOption::Kind::integer:
        settings[option.name] = std::stoll(value);
        break;
      case FitOption::Kind::real:
        settings[option.name] = std::stod(value);
        break;
      case FitOption::Kind::text:
        settings[option.name] = value;
        break;
      case FitOption::Kind::per_contrast: {  // a number where both contrasts agree, else [c1, c2]
        const std::array<double, 2> v = parse_per_contrast(value, option.name);
        settings[option.name] = v[0] == v[1] ? Json(v[0]) : Json::array({v[0], v[1]});
        break;
      }
    }
  }
  return settings;
}

std::string fit_summary_json(const FitConfig& config, const FitPlan& plan, const FitOutcome& outcome) {
  using Json = nlohmann::ordered_json;
  const Json settings = fit_settings_json(config);
  auto scores_json = [](const Scores& scores) {
    Json j = Json::object();
    for (const auto& [name, value] : scores.named()) j[name] = value;
    return j;
  };
  Json j;
  j["version"] = MCINR_VERSION_STRING;
  j["git"] = MCINR_GIT_HASH;
  j["backend"] = plan.backend;
  j["inputs"] = {plan.images[0], plan.images[1]};
  j["epochs_done"] = outcome.epochs_done;
  j["stop_reason"] = outcome.stop_reason;
  j["seconds"] = outcome.seconds;
  j["samples"] = plan.samples;
  j["parameters"] = plan.parameters;
  j["model"] = plan.model;
  j["output_grid"] = {{"size", plan.grid.size},
                      {"spacing", plan.grid.spacing},
                      {"origin", plan.grid.origin},
                      {"direction", plan.grid.direction}};
  j["config"] = settings;
  j["notes"] = plan.notes;
  j["warnings"] = plan.warnings;
  Json names = Json::array();
  for (const std::string& path : outcome.written) names.push_back(fs::path(path).filename().string());
  j["outputs"] = names;
  j["final"] = outcome.final_scores ? scores_json(*outcome.final_scores) : Json::object();
  if (!outcome.baselines.empty()) {
    Json b = Json::object();
    for (const auto& [name, scores] : outcome.baselines) b[name] = scores_json(scores);
    j["baselines"] = b;
  }
  return j.dump(2) + "\n";
}

}  // namespace mcinr::pipeline
