#pragma once
// Everything a subject fit is told: its inputs, output grid and folder, what
// it samples, the field and its training, and how the run is controlled.
// FitConfig's defaults are the reference's (../shared/docs/method.md).
//
// The options of a fit are one table (fit_options): the command line (mcinr
// fit), config files (--config, the cohort's fit.ini) and the checkpoint's
// settings all name them from it.
#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mcinr/core/trainer.hpp"

namespace mcinr::pipeline {

struct FitConfig {
  // Inputs: --subject DIR --contrasts c1,c2, or the files one by one.
  std::string subject, contrasts;
  std::array<std::string, 2> image, mask, gt;  // mask, gt optional
  std::string brain_mask;                      // optional
  // Output grid: --reference IMG's grid, or --spacing MM over both scans
  // (default: the ground truth's grid).
  std::string reference;
  double spacing = 0;
  std::string out;
  // Samples: every voxel (< 0), or those within mask_margin mm of the masks.
  double mask_margin = -1;
  // With a margin: the share of the voxels beyond it that are samples too.
  double background = 0;
  // How a scan's voxel relates to the field (core/trainer.hpp): point samples
  // (decimated scans), or a box or Gaussian slice profile across the slab;
  // the slab is the scan's slice spacing along its thickest axis, or
  // slice_thickness mm. train.profile_samples points per sample.
  ProfileKind slice_profile = ProfileKind::point;
  double slice_thickness = 0;
  // The field and its training.
  FieldConfig field;
  TrainConfig train;
  // Run control.
  bool early_stopping = false, resume = false;
  // Write into an --out folder that holds another fit's results (without a
  // checkpoint); refused otherwise.
  bool overwrite = false;
  int eval_every = 1, checkpoint_every = 1;
  // Evaluations before the last predict only the brain mask's voxels (the
  // last one, written out, predicts the whole grid). The scores are the
  // whole grid's where the prediction's maximum lies inside the mask.
  bool fast_evaluation = false;
  // Output voxels on a scan's voxel centres keep the measurement
  // (pipeline/data_consistency.hpp): for point-sampled scans only.
  bool data_consistency = false;
  // The scans' residual to the field, interpolated (ITK linear) onto the
  // output grid, is added to the predictions (pipeline/data_consistency.hpp);
  // with a slice profile the residual is the profile-weighted field's.
  bool residual_correction = false;
  // With it: the residual's in-plane detail finer than a Gaussian of this
  // sigma (mm; 0: none) fades between slices as (1 - t)^power instead of
  // linearly (io::resample_fading_detail); per contrast. Power 2 leans to
  // the smallest error, power 0.5 keeps the detail's variance (uncorrelated
  // detail of two slices at weights whose squares sum to 1).
  std::array<double, 2> residual_detail_mm{0, 0}, residual_detail_power{2, 2};
  // Predictions are clamped to each scan's intensity range (with a slice
  // profile only from below: a slab's average is no bound on its brightest
  // voxel).
  bool clamp = false;
  // Inside the brain mask, each contrast's prediction is lifted to the
  // lowest intensity its scan measured there (pipeline::lowest_inside).
  bool brain_floor = false;
  // Wall-clock budget (s) from the start of loading to the last file written;
  // 0: none. The learning rate then falls by the step over what the budget
  // allows (train.epochs is only a cap).
  double time_budget = 0;
  // The preset the values came from ("" where none; presets()).
  std::string preset;
  // Scan masks where no mask file is given: "auto" (io::auto_head_mask) or
  // "nonzero" (the reference's).
  std::string mask_mode = "auto";
  // The written volumes: masked to the union of the scans' masks (unless
  // no_mask_output); outside a scan's field of view its contrast is the
  // field's ("field") or 0 ("zero"); the voxel type; cropped to the output
  // mask's box (a margin of 4 voxels).
  bool no_mask_output = false;
  std::string outside_fov = "field";
  std::string dtype = "float32";
  bool crop_to_mask = false;
  // Rigid registration of scan 2 onto scan 1 before the fit ("none", "rigid").
  std::string register_scans = "none";

  FitConfig();  // the reference's defaults

  // Checks every option; InputError naming the first bad one.
  void validate() const;
  // A validated copy with --subject expanded into file paths (the folder is
  // listed, nothing is read), head-hidden 0 resolved to hidden / 2, the
  // output grid defaulted to the ground truth's, and with a time budget the
  // step-wise schedule.
  FitConfig resolved() const;

  // The settings a checkpoint records and a resume must match, by option name.
  std::map<std::string, double> settings() const;
};

// One option of a fit.
struct FitOption {
  // per_contrast: a real, or two separated by a comma (contrast 1, contrast
  // 2); as text one value where both are equal.
  enum class Kind { text, integer, real, flag, per_contrast };
  std::string name;  // as on the command line without "--", and in config files
  Kind kind;
  std::string help;
  std::function<void(FitConfig&, const std::string&)> set;  // parses the text; InputError naming the option
  std::function<std::string(const FitConfig&)> get;         // the value as text (defaults in --help)
  bool training = false;  // one of the field and training options other commands share
};
const std::vector<FitOption>& fit_options();
const FitOption* find_fit_option(const std::string& name);

// Named bundles of option values (`--preset NAME`): what each sets, by
// option name. "reference" is the reference's method (the defaults);
// "fast-cpu" the best measured CPU setting; "gpu" one picked for a GPU
// (docs/quality.md says why).
const std::map<std::string, std::map<std::string, std::string>>& presets();
// Sets a preset's values; InputError for an unknown name.
void apply_preset(const std::string& name, FitConfig& config);
// "preset NAME: option value, ..." with the value each option the preset
// sets has in config (an option given beside the preset wins and is marked
// "(given)"); "" where config names no preset.
std::string preset_values(const FitConfig& config);

// "600", "600s", "10m", "1.5h" -> seconds; InputError naming the option.
double parse_duration(const std::string& text, const std::string& option);
// A per-contrast value (FitOption::Kind::per_contrast): "0.5" -> both,
// "1,0.5" -> contrast 1, contrast 2; InputError naming the option (name as
// FitOption::name, without the dashes).
std::array<double, 2> parse_per_contrast(const std::string& text, const std::string& name);

// A config file's value for one key ("" where absent), checked as
// apply_config_file checks the whole file.
std::string config_file_value(const std::string& path, const std::string& key);

// Applies a config file (INI): top-level keys are fit options; a [slurm]
// section belongs to mcinr cohort and is skipped; any other key, an option
// given twice or a bad value is an InputError naming the file. `skip` names
// options not to apply (those the command line gives: it wins).
void apply_config_file(const std::string& path, FitConfig& config, const std::vector<std::string>& skip = {});

// The fit's options from their sources, by precedence: `given` (name ->
// text, e.g. the command line; flags as "true" / "false"), then config_file
// ("" for none), then the preset either of them names, then the defaults.
void apply_fit_options(FitConfig& config, const std::vector<std::pair<std::string, std::string>>& given,
                       const std::string& config_file);

// Whether a config file gives an output grid (spacing or reference); checks
// the whole file as apply_config_file does.
bool config_file_gives_grid(const std::string& path);

}  // namespace mcinr::pipeline
