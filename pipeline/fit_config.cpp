#include "mcinr/pipeline/fit_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "mcinr/io/text_files.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/subject_layout.hpp"

namespace mcinr::pipeline {

FitConfig::FitConfig() {
  field.encoding.kind = "fourier";
  field.encoding.fourier_features = 256;
  field.encoding.fourier_scale = 4.0;
  field.mlp.architecture = Architecture::split_head;
  field.mlp.hidden = 1024;
  field.mlp.layers = 4;
  field.mlp.head_hidden = 0;  // 0: hidden / 2, as the reference
  field.mlp.contrasts = 2;
  train.epochs = 50;
  train.batch_size = 1000;
  train.adam.lr = 4e-4;
  train.seed = 12;
}

void FitConfig::validate() const {
  require(!out.empty(), "the option '--out' is required");
  require(!subject.empty() || contrasts.empty(), "--contrasts needs --subject");
  if (!subject.empty()) {
    require(!contrasts.empty(), "--subject needs --contrasts c1,c2");
    split_contrasts(contrasts);
  } else {
    require(!image[0].empty() && !image[1].empty(), "give --image1 and --image2, or --subject and --contrasts");
    require(gt[0].empty() == gt[1].empty(), "give both --gt1 and --gt2, or neither");
  }
  require(std::isfinite(spacing) && spacing >= 0, "--spacing must be positive");
  require(spacing == 0 || (spacing >= 0.01 && spacing <= 100), "--spacing must be between 0.01 and 100 mm");
  require(std::isfinite(mask_margin) && mask_margin <= 1000, "--mask-margin must be at most 1000 mm");
  require(background >= 0 && background <= 1, "--background must be between 0 and 1");
  require(std::isfinite(slice_thickness) && slice_thickness >= 0 && slice_thickness <= 100,
          "--slice-thickness must be between 0 and 100 mm");
  require(!(data_consistency && slice_profile != ProfileKind::point),
          "--data-consistency is for point samples: not with --slice-profile box or gaussian");
  for (int c = 0; c < 2; ++c) {
    require(std::isfinite(residual_detail_mm[c]) && residual_detail_mm[c] >= 0 && residual_detail_mm[c] <= 100,
            "--residual-detail-mm must be between 0 and 100 mm");
    require(std::isfinite(residual_detail_power[c]) && residual_detail_power[c] > 0 && residual_detail_power[c] <= 100,
            "--residual-detail-power must be above 0 and at most 100");
  }
  require(eval_every >= 1 && eval_every <= 1000000, "--eval-every must be at least 1");
  require(checkpoint_every >= 1 && checkpoint_every <= 1000000, "--checkpoint-every must be at least 1");
  require(!early_stopping || eval_every == 1, "--early-stopping needs --eval-every 1");
  require(field.mlp.architecture != Architecture::single,
          "mcinr fit fits two contrasts: --model split-head or vanilla");
  require(field.mlp.head_hidden >= 0, "--head-hidden must be zero (hidden / 2) or positive");
  try {
    MlpConfig mlp = field.mlp;
    if (mlp.head_hidden == 0) mlp.head_hidden = std::max(1, mlp.hidden / 2);
    mlp.validate();
    field.encoding.validate();
    train.validate();
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
}

FitConfig FitConfig::resolved() const {
  validate();
  FitConfig r = *this;
  if (!subject.empty()) {
    const auto names = split_contrasts(contrasts);
    const SubjectFiles files = find_subject(subject, names[0], names[1]);
    for (int c = 0; c < 2; ++c) {
      if (r.image[c].empty()) r.image[c] = files.image[c];
      if (r.mask[c].empty()) r.mask[c] = files.mask[c];
      if (r.gt[c].empty()) r.gt[c] = files.gt[c];
    }
    if (r.brain_mask.empty()) r.brain_mask = files.brain_mask;
    require(r.gt[0].empty() == r.gt[1].empty(), "give both --gt1 and --gt2, or neither");
  }
  if (r.field.mlp.head_hidden == 0) r.field.mlp.head_hidden = std::max(1, r.field.mlp.hidden / 2);
  if (r.time_budget > 0) r.train.schedule = Schedule::cosine_step;  // the rate falls over what the budget allows
  if (r.reference.empty() && r.spacing <= 0) r.reference = r.gt[0];
  require(!r.reference.empty() || r.spacing > 0, "give an output grid: --reference IMG or --spacing MM");
  return r;
}

std::map<std::string, double> FitConfig::settings() const {
  std::map<std::string, double> s = {
          {"hidden", field.mlp.hidden},
          {"layers", field.mlp.layers},
          {"head_hidden", field.mlp.head_hidden},
          {"fourier_features", field.encoding.fourier_features},
          {"fourier_scale", field.encoding.fourier_scale},
          {"epochs", train.epochs},
          {"batch_size", double(train.batch_size)},
          {"lr", train.adam.lr},
          {"beta1", train.adam.beta1},
          {"beta2", train.adam.beta2},
          {"eps", train.adam.eps},
          {"mask_margin", mask_margin},
          {"eval_every", eval_every},
          {"early_stopping", early_stopping ? 1.0 : 0.0},
          {"skip_other_heads", train.skip_other_heads ? 1.0 : 0.0}};
  // Settings added after format 1 appear only where they differ from what
  // those fits did, so that their checkpoints still resume.
  if (field.encoding.lr > 0) s["encoding_lr"] = field.encoding.lr;
  if (train.schedule != Schedule::cosine_epoch) s["schedule_cosine_step"] = 1;
  if (!train.sparse_encoding_update) s["dense_encoding_adam"] = 1;
  if (train.fast_encoding) s["fast_encoding"] = 1;
  if (background > 0) s["background"] = background;
  // The masks choose the samples: automatic ones where no file is given.
  if (mask_margin >= 0 && mask_mode == "auto" && (mask[0].empty() || mask[1].empty())) s["mask_auto"] = 1;
  // Scan 2's geometry, and so the samples, depend on it.
  if (register_scans == "rigid") s["register_rigid"] = 1;
  if (slice_profile != ProfileKind::point) {
    s["slice_profile"] = double(int(slice_profile));
    s["slice_thickness"] = slice_thickness;
    s["profile_samples"] = train.profile_samples;
  }
  return s;
}

namespace {

using Kind = FitOption::Kind;

long long parse_integer(const std::string& name, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  require(!text.empty() && end && *end == '\0' && errno == 0, "--" + name + ": '" + text + "' is not an integer");
  return v;
}

double parse_real(const std::string& name, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  require(!text.empty() && end && *end == '\0' && errno == 0 && std::isfinite(v),
          "--" + name + ": '" + text + "' is not a number");
  return v;
}

bool parse_flag(const std::string& name, const std::string& text) {
  if (text.empty() || text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw InputError("--" + name + ": '" + text + "' is not true or false");
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;  // 0.0004, not 0.00040000000000000002
  return out.str();
}

FitOption text(const std::string& name, const std::string& help, std::string FitConfig::*member) {
  return {name, Kind::text, help, [member](FitConfig& c, const std::string& v) { c.*member = v; },
          [member](const FitConfig& c) { return c.*member; }};
}

// A text option with a fixed set of values: anything else is refused
// ("--dtype: 'int8' is not float32 or int16").
FitOption choice(const std::string& name, const std::string& help, std::string FitConfig::*member,
                 const std::vector<std::string>& values) {
  std::string listed;
  for (std::size_t i = 0; i < values.size(); ++i)
    listed += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
  return {name, Kind::text, help,
          [name, member, values, listed](FitConfig& c, const std::string& v) {
            require(std::find(values.begin(), values.end(), v) != values.end(),
                    "--" + name + ": '" + v + "' is not " + listed);
            c.*member = v;
          },
          [member](const FitConfig& c) { return c.*member; }};
}

FitOption indexed(const std::string& name, const std::string& help, std::array<std::string, 2> FitConfig::*member,
                  int index) {
  return {name, Kind::text, help, [member, index](FitConfig& c, const std::string& v) { (c.*member)[index] = v; },
          [member, index](const FitConfig& c) { return (c.*member)[index]; }};
}

template <class T>
FitOption integer(const std::string& name, const std::string& help, std::function<T&(FitConfig&)> field,
                  bool training = false) {
  FitOption o{name, Kind::integer, help,
              [name, field](FitConfig& c, const std::string& v) {
                const long long n = parse_integer(name, v);
                require(n >= 0 || std::is_signed<T>::value, "--" + name + " must not be negative");
                require(static_cast<long long>(static_cast<T>(n)) == n, "--" + name + ": " + v + " is out of range");
                field(c) = static_cast<T>(n);
              },
              [field](const FitConfig& c) { return std::to_string(field(const_cast<FitConfig&>(c))); }};
  o.training = training;
  return o;
}

FitOption real(const std::string& name, const std::string& help, std::function<double&(FitConfig&)> field,
               bool training = false) {
  FitOption o{name, Kind::real, help,
              [name, field](FitConfig& c, const std::string& v) { field(c) = parse_real(name, v); },
              [field](const FitConfig& c) { return number_text(field(const_cast<FitConfig&>(c))); }};
  o.training = training;
  return o;
}

// A real per contrast: "0.5" sets both, "1,0.5" contrast 1 and contrast 2.
FitOption per_contrast(const std::string& name, const std::string& help, std::array<double, 2> FitConfig::*member) {
  return {name, Kind::per_contrast, help,
          [name, member](FitConfig& c, const std::string& v) { c.*member = parse_per_contrast(v, name); },
          [member](const FitConfig& c) {
            const std::array<double, 2>& v = c.*member;
            return v[0] == v[1] ? number_text(v[0]) : number_text(v[0]) + "," + number_text(v[1]);
          }};
}

FitOption flag(const std::string& name, const std::string& help, std::function<void(FitConfig&, bool)> set,
               std::function<bool(const FitConfig&)> get, bool training = false) {
  FitOption o{name, Kind::flag, help, [name, set](FitConfig& c, const std::string& v) { set(c, parse_flag(name, v)); },
              [get](const FitConfig& c) { return std::string(get(c) ? "true" : "false"); }};
  o.training = training;
  return o;
}

std::vector<FitOption> make_options() {
  std::vector<FitOption> o;
  o.push_back(text("subject", "subject folder in the reference's naming (with --contrasts)", &FitConfig::subject));
  o.push_back(text("contrasts", "two contrast names for --subject, e.g. t1c,t2f", &FitConfig::contrasts));
  o.push_back(indexed("image1", "low-resolution scan of contrast 1 (NIfTI)", &FitConfig::image, 0));
  o.push_back(indexed("image2", "low-resolution scan of contrast 2 (NIfTI)", &FitConfig::image, 1));
  o.push_back(indexed("mask1", "mask of image1 (default: made by --mask)", &FitConfig::mask, 0));
  o.push_back(indexed("mask2", "mask of image2 (default: made by --mask)", &FitConfig::mask, 1));
  o.push_back(text("reference", "output grid: this image's grid (default: gt1 where given)", &FitConfig::reference));
  o.push_back(real("spacing", "output grid: isotropic spacing (mm) over both scans' extent",
                   [](FitConfig& c) -> double& { return c.spacing; }));
  o.push_back(indexed("gt1", "ground truth of contrast 1 on the output grid (optional)", &FitConfig::gt, 0));
  o.push_back(indexed("gt2", "ground truth of contrast 2 on the output grid (optional)", &FitConfig::gt, 1));
  o.push_back(text("brain-mask", "mask for the metrics on the output grid (optional)", &FitConfig::brain_mask));
  o.push_back(text("out", "output folder (required)", &FitConfig::out));
  {
    FitOption preset{"preset", Kind::text,
                     "a named bundle of option values: reference (the reference's method), fast-cpu, gpu; "
                     "options given beside it win",
                     [](FitConfig& c, const std::string& v) { apply_preset(v, c); },
                     [](const FitConfig& c) { return c.preset; }};
    o.push_back(preset);
  }
  {
    FitOption budget{"time-budget", Kind::text,
                     "end the fit within this wall time (600, 600s, 10m, 1.5h), loading and writing included; "
                     "the learning rate falls by the step over it",
                     [](FitConfig& c, const std::string& v) { c.time_budget = parse_duration(v, "--time-budget"); },
                     [](const FitConfig& c) {
                       std::ostringstream t;
                       t << c.time_budget;
                       return c.time_budget > 0 ? t.str() + "s" : std::string();
                     }};
    o.push_back(budget);
  }
  o.push_back(flag(
      "fast-evaluation", "evaluations before the last predict only the brain mask's voxels",
      [](FitConfig& c, bool v) { c.fast_evaluation = v; }, [](const FitConfig& c) { return c.fast_evaluation; }));
  o.push_back(flag(
      "data-consistency",
      "output voxels on a scan's voxel centres keep its measurement (point-sampled scans, as the reference's)",
      [](FitConfig& c, bool v) { c.data_consistency = v; }, [](const FitConfig& c) { return c.data_consistency; }));
  o.push_back(real(
      "background", "with --mask-margin: the share of the voxels beyond the margin that are samples too (0..1)",
      [](FitConfig& c) -> double& { return c.background; }));
  {
    FitOption profile{"slice-profile", Kind::text,
                      "point (scans sample points: decimated data, the reference's), box or gaussian (a voxel "
                      "averages its slab: real 2D scans)",
                      [](FitConfig& c, const std::string& v) {
                        try {
                          c.slice_profile = parse_profile_kind(v);
                        } catch (const std::invalid_argument& e) {
                          throw InputError(e.what());
                        }
                      },
                      [](const FitConfig& c) { return to_string(c.slice_profile); }};
    o.push_back(profile);
  }
  o.push_back(real(
      "slice-thickness", "the slab of --slice-profile (mm; 0: each scan's slice spacing)",
      [](FitConfig& c) -> double& { return c.slice_thickness; }));
  o.push_back(integer<int>(
      "profile-samples", "points per sample across the slab (--slice-profile box|gaussian)",
      [](FitConfig& c) -> int& { return c.train.profile_samples; }, true));
  o.push_back(flag(
      "residual-correction",
      "add the scans' residual to the field (profile-weighted with --slice-profile), linearly interpolated, to the "
      "predictions",
      [](FitConfig& c, bool v) { c.residual_correction = v; },
      [](const FitConfig& c) { return c.residual_correction; }));
  o.push_back(per_contrast(
      "residual-detail-mm",
      "with --residual-correction: the residual's in-plane detail finer than a Gaussian of this sigma (mm) fades "
      "between slices as (1 - t)^power, not linearly (0: off); one value, or two (contrast 1, contrast 2)",
      &FitConfig::residual_detail_mm));
  o.push_back(per_contrast(
      "residual-detail-power",
      "the power of --residual-detail-mm's fading (2: the smaller error, 0.5: the detail's variance kept); one "
      "value, or two",
      &FitConfig::residual_detail_power));
  o.push_back(flag(
      "clamp",
      "clamp predictions to each scan's intensity range (with a --slice-profile only from below: a slab's average "
      "is no bound on its brightest voxel)",
      [](FitConfig& c, bool v) { c.clamp = v; }, [](const FitConfig& c) { return c.clamp; }));
  o.push_back(flag(
      "brain-floor",
      "inside the brain mask, lift each prediction to the lowest intensity its scan measured there, in the scans' "
      "units as the corrections keep them (needs a brain mask; without one it does nothing)",
      [](FitConfig& c, bool v) { c.brain_floor = v; }, [](const FitConfig& c) { return c.brain_floor; }));
  o.push_back(flag(
      "early-stopping", "stop on the MI rule (needs --eval-every 1)",
      [](FitConfig& c, bool v) { c.early_stopping = v; }, [](const FitConfig& c) { return c.early_stopping; }));
  o.push_back(integer<int>("eval-every", "evaluate every N epochs", [](FitConfig& c) -> int& { return c.eval_every; }));
  o.push_back(integer<int>("checkpoint-every",
                           "write DIR/checkpoint.h5 every N epochs (and on SIGTERM/SIGUSR1, and at the end)",
                           [](FitConfig& c) -> int& { return c.checkpoint_every; }));
  o.push_back(flag(
      "resume", "continue from DIR/checkpoint.h5 where it exists", [](FitConfig& c, bool v) { c.resume = v; },
      [](const FitConfig& c) { return c.resume; }));
  o.push_back(flag(
      "overwrite", "replace the results of an earlier fit (without a checkpoint) in --out",
      [](FitConfig& c, bool v) { c.overwrite = v; }, [](const FitConfig& c) { return c.overwrite; }));
  o.push_back(choice("mask",
                     "scan masks where no --mask1/--mask2 is given: auto (an Otsu head mask; nonzero voxels on a "
                     "zero background) or nonzero",
                     &FitConfig::mask_mode, {"auto", "nonzero"}));
  o.push_back(choice("outside-fov",
                     "a contrast's output outside its own scan's field of view: field (the field's prediction) or "
                     "zero",
                     &FitConfig::outside_fov, {"field", "zero"}));
  o.push_back(choice("dtype", "voxel type of the written volumes: float32 or int16 (rounded)", &FitConfig::dtype,
                     {"float32", "int16"}));
  o.push_back(choice("register", "none, or rigid: register scan 2 onto scan 1 (ITK, Mattes MI) before the fit",
                     &FitConfig::register_scans, {"none", "rigid"}));
  o.push_back(flag(
      "no-mask-output", "keep the written volumes whole (default: 0 outside the union of the scans' masks)",
      [](FitConfig& c, bool v) { c.no_mask_output = v; }, [](const FitConfig& c) { return c.no_mask_output; }));
  o.push_back(flag(
      "crop-to-mask", "crop the written volumes to the output mask's box (4 voxels of margin)",
      [](FitConfig& c, bool v) { c.crop_to_mask = v; }, [](const FitConfig& c) { return c.crop_to_mask; }));
  o.push_back(real("mask-margin",
                   "sample only voxels within this many mm of each scan's mask, rounded up to whole voxels per "
                   "axis (< 0: every voxel, as the reference)",
                   [](FitConfig& c) -> double& { return c.mask_margin; }));
  // The field and its training (shared with the engine demo).
  o.push_back(integer<int>(
      "epochs", "training epochs (cosine schedule over them)", [](FitConfig& c) -> int& { return c.train.epochs; },
      true));
  o.push_back(integer<std::size_t>(
      "batch-size", "samples per batch", [](FitConfig& c) -> std::size_t& { return c.train.batch_size; }, true));
  o.push_back(real(
      "lr", "Adam learning rate at epoch 1", [](FitConfig& c) -> double& { return c.train.adam.lr; }, true));
  o.push_back(integer<int>(
      "hidden", "trunk width", [](FitConfig& c) -> int& { return c.field.mlp.hidden; }, true));
  o.push_back(integer<int>(
      "layers", "trunk blocks after the input layer", [](FitConfig& c) -> int& { return c.field.mlp.layers; }, true));
  o.push_back(integer<int>(
      "head-hidden", "split-head hidden width (0: hidden / 2)",
      [](FitConfig& c) -> int& { return c.field.mlp.head_hidden; }, true));
  {
    FitOption e = text("encoding", "coordinate encoding: fourier (the reference's), hashgrid, or fourier+hashgrid (both side by side)", nullptr);
    e.set = [](FitConfig& c, const std::string& v) { c.field.encoding.kind = v; };
    e.get = [](const FitConfig& c) { return c.field.encoding.kind; };
    e.training = true;
    o.push_back(e);
  }
  o.push_back(real(
      "encoding-lr", "learning rate of a trainable encoding (0: the MLP's)",
      [](FitConfig& c) -> double& { return c.field.encoding.lr; }, true));
  o.push_back(integer<int>(
      "fourier-features", "rows of the Fourier matrix B",
      [](FitConfig& c) -> int& { return c.field.encoding.fourier_features; }, true));
  o.push_back(real(
      "fourier-scale", "standard deviation of B's entries",
      [](FitConfig& c) -> double& { return c.field.encoding.fourier_scale; }, true));
  o.push_back(integer<int>(
      "hash-levels", "hashgrid: levels, cell sizes geometric from coarsest to finest",
      [](FitConfig& c) -> int& { return c.field.encoding.hash_levels; }, true));
  o.push_back(integer<int>(
      "hash-features", "hashgrid: features per level", [](FitConfig& c) -> int& { return c.field.encoding.hash_features; },
      true));
  o.push_back(integer<int>(
      "hash-log2-table", "hashgrid: log2 of the table rows per hashed level",
      [](FitConfig& c) -> int& { return c.field.encoding.hash_log2_table; }, true));
  o.push_back(real(
      "hash-coarsest-mm", "hashgrid: the coarsest level's cell size (mm)",
      [](FitConfig& c) -> double& { return c.field.encoding.hash_coarsest_mm; }, true));
  o.push_back(real(
      "hash-finest-mm", "hashgrid: the finest level's cell size (mm)",
      [](FitConfig& c) -> double& { return c.field.encoding.hash_finest_mm; }, true));
  o.push_back(flag(
      "dense-encoding-adam", "update every row of a hash table each step (default: only the rows the batch touched)",
      [](FitConfig& c, bool v) { c.train.sparse_encoding_update = !v; },
      [](const FitConfig& c) { return !c.train.sparse_encoding_update; }, true));
  {
    FitOption schedule{"schedule", Kind::text,
                       "cosine-epoch (the reference's: the rate falls once per epoch) or cosine-step",
                       [](FitConfig& c, const std::string& v) {
                         try {
                           c.train.schedule = parse_schedule(v);
                         } catch (const std::invalid_argument& e) {
                           throw InputError(e.what());
                         }
                       },
                       [](const FitConfig& c) { return to_string(c.train.schedule); }};
    schedule.training = true;
    o.push_back(schedule);
  }
  {
    FitOption m{"model", Kind::text, "split-head or vanilla",
                [](FitConfig& c, const std::string& v) {
                  try {
                    c.field.mlp.architecture = parse_architecture(v);
                  } catch (const std::invalid_argument& e) {
                    throw InputError(std::string("--model: ") + e.what());
                  }
                },
                [](const FitConfig& c) { return to_string(c.field.mlp.architecture); }};
    m.training = true;
    o.push_back(m);
  }
  o.push_back(integer<std::uint64_t>(
      "seed", "seed of every random draw", [](FitConfig& c) -> std::uint64_t& { return c.train.seed; }, true));
  o.push_back(flag(
      "fast-encoding",
      "training encodes as prediction does (Fourier: polynomial sines and cosines within 1e-7; default: the C "
      "library's, bit for bit the reference's arithmetic)",
      [](FitConfig& c, bool v) { c.train.fast_encoding = v; },
      [](const FitConfig& c) { return c.train.fast_encoding; }, true));
  o.push_back(flag(
      "no-head-skipping", "evaluate every head on every sample (slower; same gradients)",
      [](FitConfig& c, bool v) { c.train.skip_other_heads = !v; },
      [](const FitConfig& c) { return !c.train.skip_other_heads; }, true));
  return o;
}

}  // namespace

const std::vector<FitOption>& fit_options() {
  static const std::vector<FitOption> options = make_options();
  return options;
}

const FitOption* find_fit_option(const std::string& name) {
  for (const auto& o : fit_options())
    if (o.name == name) return &o;
  return nullptr;
}

namespace {

// The fit's entries of a config file, checked: known keys, each once.
std::vector<io::IniEntry> fit_entries(const std::string& path) {
  std::vector<io::IniEntry> entries;
  try {
    entries = io::read_ini(path);
  } catch (const std::runtime_error& e) {
    throw InputError(std::string(e.what()) + " (the config file)");
  }
  std::vector<io::IniEntry> fit;
  std::set<std::string> seen;
  for (const auto& e : entries) {
    if (e.section == "slurm") continue;
    const std::string key = e.section.empty() ? e.key : e.section + "." + e.key;
    require(e.section.empty() && find_fit_option(e.key) && e.key != "config",
            path + ": line " + std::to_string(e.line) + ": unrecognised option '" + key + "'");
    require(seen.insert(e.key).second, path + ": line " + std::to_string(e.line) + ": '" + e.key + "' given twice");
    fit.push_back(e);
  }
  return fit;
}

}  // namespace

std::string config_file_value(const std::string& path, const std::string& key) {
  for (const auto& e : fit_entries(path))
    if (e.key == key) return e.value;
  return "";
}

const std::map<std::string, std::map<std::string, std::string>>& presets() {
  static const std::map<std::string, std::map<std::string, std::string>> all = {
      {"reference",
       {{"encoding", "fourier"}, {"fourier-features", "256"}, {"fourier-scale", "4"}, {"hidden", "1024"},
        {"layers", "4"}, {"head-hidden", "512"}, {"model", "split-head"}, {"epochs", "50"}, {"batch-size", "1000"},
        {"lr", "0.0004"}, {"schedule", "cosine-epoch"}, {"mask-margin", "-1"}, {"fast-evaluation", "false"},
        {"fast-encoding", "false"}}},
      {"fast-cpu",
       {{"encoding", "fourier"}, {"fourier-features", "128"}, {"fourier-scale", "3"}, {"hidden", "384"},
        {"layers", "4"}, {"head-hidden", "192"}, {"model", "split-head"}, {"epochs", "1000"}, {"batch-size", "1000"},
        {"lr", "0.0004"}, {"schedule", "cosine-step"}, {"mask-margin", "3"}, {"fast-evaluation", "true"},
        {"fast-encoding", "false"}, {"residual-correction", "true"}, {"residual-detail-mm", "1.5,0.7"},
        {"residual-detail-power", "0.5,2"}, {"clamp", "true"}, {"brain-floor", "true"}, {"eval-every", "1000"},
        {"time-budget", "570s"}}},
      {"gpu",
       {{"encoding", "fourier"}, {"fourier-features", "256"}, {"fourier-scale", "3"}, {"hidden", "1024"},
        {"layers", "4"}, {"head-hidden", "512"}, {"model", "split-head"}, {"epochs", "50"}, {"batch-size", "1000"},
        {"lr", "0.0004"}, {"schedule", "cosine-step"}, {"mask-margin", "3"}, {"fast-evaluation", "true"},
        {"fast-encoding", "false"}, {"residual-correction", "true"}, {"residual-detail-mm", "0.5"},
        {"residual-detail-power", "1.5"}, {"clamp", "true"}, {"brain-floor", "true"}, {"eval-every", "10"}}}};
  return all;
}

std::string preset_values(const FitConfig& config) {
  const auto found = presets().find(config.preset);
  if (found == presets().end()) return "";
  std::string text = "preset " + config.preset + ":";
  bool first = true;
  for (const auto& [option, value] : found->second) {
    const std::string now = find_fit_option(option)->get(config);
    FitConfig preset_only;
    find_fit_option(option)->set(preset_only, value);
    const bool given = find_fit_option(option)->get(preset_only) != now;
    text += std::string(first ? " " : ", ") + option + " " + (now.empty() ? "none" : now) + (given ? " (given)" : "");
    first = false;
  }
  return text;
}

void apply_preset(const std::string& name, FitConfig& config) {
  const auto found = presets().find(name);
  if (found == presets().end()) {
    std::string known;
    for (const auto& [key, values] : presets()) known += (known.empty() ? "" : ", ") + key;
    throw InputError("unknown --preset '" + name + "' (expected " + known + ")");
  }
  for (const auto& [option, value] : found->second) find_fit_option(option)->set(config, value);
  config.preset = name;
}

double parse_duration(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double value = NAN;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  const std::string unit = text.substr(std::min(used, text.size()));
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : NAN;
  require(used > 0 && std::isfinite(value) && value >= 0 && std::isfinite(scale) && value * scale <= 1e7,
          option + ": '" + text + "' is not a duration (600, 600s, 10m, 1.5h)");
  return value * scale;
}

std::array<double, 2> parse_per_contrast(const std::string& text, const std::string& name) {
  const std::size_t comma = text.find(',');
  if (comma == std::string::npos) {
    const double both = parse_real(name, text);
    return {both, both};
  }
  const std::string second = text.substr(comma + 1);
  require(second.find(',') == std::string::npos,
          "--" + name + ": '" + text + "' is not one value or two (contrast 1, contrast 2)");
  return {parse_real(name, text.substr(0, comma)), parse_real(name, second)};
}

void apply_config_file(const std::string& path, FitConfig& config, const std::vector<std::string>& skip) {
  for (const auto& e : fit_entries(path)) {
    if (std::find(skip.begin(), skip.end(), e.key) != skip.end()) continue;
    try {
      find_fit_option(e.key)->set(config, e.value);
    } catch (const InputError& error) {
      throw InputError(path + ": line " + std::to_string(e.line) + ": " + error.what());
    }
  }
}

void apply_fit_options(FitConfig& config, const std::vector<std::pair<std::string, std::string>>& given,
                       const std::string& config_file) {
  std::string preset = config_file.empty() ? std::string() : config_file_value(config_file, "preset");
  std::vector<std::string> names;
  for (const auto& [name, value] : given) {
    require(find_fit_option(name) != nullptr, "unknown option --" + name);
    if (name == "preset") preset = value;
    names.push_back(name);
  }
  if (!preset.empty()) apply_preset(preset, config);
  names.push_back("preset");
  if (!config_file.empty()) apply_config_file(config_file, config, names);
  for (const auto& [name, value] : given)
    if (name != "preset") find_fit_option(name)->set(config, value);
}

bool config_file_gives_grid(const std::string& path) {
  FitConfig config;
  apply_config_file(path, config);
  return config.spacing > 0 || !config.reference.empty();
}

}  // namespace mcinr::pipeline
