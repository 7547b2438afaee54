#pragma once
// The two demos, on data mcinr makes itself (no download):
//  * the image demo (mcinr demo, the README's first command): everything a
//    user does with a real subject, on a generated two-contrast phantom:
//    ground truth -> prepare (an axial scan of contrast 1, a coronal scan of
//    contrast 2, 4 mm slices) -> fit -> linear interpolation -> scores;
//  * the engine demo (mcinr demo --engine): the engine alone, in memory,
//    scored against the analytic phantom (plain PSNR).
#include <array>
#include <functional>
#include <string>

#include "mcinr/core/trainer.hpp"

#ifdef MCINR_HAVE_NIFTI
#include "mcinr/pipeline/evaluation.hpp"
#include "mcinr/pipeline/subject_fit.hpp"
#endif

namespace mcinr::pipeline {

struct EngineDemoConfig {
  int grid = 48;       // voxels per axis of the isotropic grid
  int factor = 4;      // slice thickness of the two scans, in voxels
  int eval_every = 5;  // score every N epochs
  FieldConfig field;
  TrainConfig train;
  std::string out = "mcinr-demo";  // metrics.csv goes here
  EngineDemoConfig();              // sizes for seconds on a laptop
  void validate() const;
};

struct EngineDemoEpoch {
  EpochStats stats;
  bool scored = false;
  std::array<double, 2> psnr{};  // field against the truth, where scored
};

struct EngineDemoResult {
  std::size_t parameters = 0, batches_per_epoch = 0;
  std::array<double, 2> field_psnr{}, linear_psnr{};
  std::string metrics;  // path of metrics.csv
};

EngineDemoResult run_engine_demo(const EngineDemoConfig& config,
                                 const std::function<void(const EngineDemoResult&)>& on_start,
                                 const std::function<void(const EngineDemoEpoch&)>& on_epoch);

#ifdef MCINR_HAVE_NIFTI
struct ImageDemoConfig {
  int size = 48;  // phantom voxels per axis (1 mm), a multiple of 4
  int epochs = 30;
  std::string out = "mcinr-demo";
  void validate() const;
};

struct ImageDemoResult {
  std::array<VolumeScore, 2> linear, field;
  std::string fit_folder;
};

// announce: the demo's steps ("1. ground truth ..."), fit: the fit's progress.
ImageDemoResult run_image_demo(const ImageDemoConfig& config, const std::function<void(const std::string&)>& announce,
                               FitObserver& fit);
#endif

}  // namespace mcinr::pipeline
