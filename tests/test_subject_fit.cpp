// pipeline::SubjectFit end to end on a small generated subject: the library
// call the commands make, its observer, checks before writes, and resume
// bit for bit through the checkpoint, with the built-in Fourier encoding and
// with a trainable encoding registered from outside (the seam carries its
// state: parameters and Adam moments).
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "learned_scale_encoding.hpp"
#include "mcinr/core/device_copy.hpp"
#include "mcinr/core/phantom.hpp"
#include "mcinr/io/checkpoint.hpp"
#include "mcinr/pipeline/coverage.hpp"
#include "mcinr/pipeline/data_consistency.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/fit_state.hpp"
#include "mcinr/pipeline/grids.hpp"
#include "mcinr/pipeline/prepare.hpp"
#include "mcinr/pipeline/scans.hpp"
#include "mcinr/pipeline/subject_fit.hpp"
#include "testing.hpp"

namespace fs = std::filesystem;
using namespace mcinr;

namespace {

using testing::fresh_dir;

// A 24^3 phantom subject (1 mm) with an axial and a coronal 4 mm scan.
std::string make_subject(const fs::path& dir) {
  const int n = 24;
  const double half = n / 2.0;
  std::string hr[2];
  for (int c = 0; c < 2; ++c) {
    io::Volume v;
    v.geometry.size = {std::size_t(n), std::size_t(n), std::size_t(n)};
    v.geometry.origin = {-half + 0.5, -half + 0.5, -half + 0.5};
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
          const double x = (i + 0.5 - half) / half, y = (j + 0.5 - half) / half, z = (k + 0.5 - half) / half;
          v.voxels.push_back(x * x + y * y + z * z <= 0.8 ? float(1000 * phantom::value<double>(c, x, y, z)) : 0.0f);
        }
    hr[c] = (dir / ("hr" + std::to_string(c) + ".nii.gz")).string();
    io::write_nifti(hr[c], v);
  }
  pipeline::PrepareRequest r;
  r.id = "s";
  r.hr = {hr[0], hr[1]};
  r.contrast = {"a", "b"};
  r.out = (dir / "subject").string();
  pipeline::prepare_subject(r);
  return r.out;
}

pipeline::FitConfig small_fit(const std::string& subject, const fs::path& out) {
  pipeline::FitConfig c;
  c.subject = subject;
  c.contrasts = "a,b";
  c.out = out.string();
  c.field.mlp.hidden = 32;
  c.field.mlp.layers = 1;
  c.field.mlp.head_hidden = 16;
  c.field.encoding.fourier_features = 16;
  c.field.encoding.fourier_scale = 1;
  c.train.epochs = 3;
  c.train.batch_size = 256;
  c.train.adam.lr = 3e-3;
  return c;
}

// An untrained field on the phantom subject's two scans (files scan_a and
// scan_b), sampled with a mask margin: what the correction's tests apply.
struct UntrainedField {
  pipeline::Scan scans[2];
  FieldDomain domain;
  pipeline::FitConfig config;
  FieldTrainer<float> trainer;
  UntrainedField(const fs::path& scan_a, const fs::path& scan_b, const std::string& subject, const fs::path& work,
                 double margin)
      : scans{pipeline::load_scan(scan_a.string(), ""), pipeline::load_scan(scan_b.string(), "")},
        domain(pipeline::fit_domain(scans[0].volume.geometry, scans[1].volume.geometry)),
        config(small_fit(subject, work / "unused")),
        trainer(config.field, config.train, pipeline::make_samples(scans, domain, margin)) {}
};

struct Recorder : pipeline::FitObserver {
  int planned_calls = 0, epochs = 0, baselines = 0, resumes = 0;
  std::size_t batches = 0;
  void planned(const pipeline::FitPlan&) override { ++planned_calls; }
  void baseline(const std::string&, const pipeline::Scores&) override { ++baselines; }
  void resumed(const pipeline::ResumePoint&) override { ++resumes; }
  void training(const BatchProgress&, double) override { ++batches; }
  std::vector<std::size_t> evaluated;  // voxels predicted by each scored epoch's evaluation
  void epoch_done(const pipeline::EpochReport& e) override {
    ++epochs;
    if (e.scored) evaluated.push_back(e.evaluated_voxels);
  }
};

std::string bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Fits straight; fits again, stopped after `stop_after` batches, then resumed:
// outputs, metric rows (timings aside) and checkpointed weights must agree.
// (stop() is asked after every batch and between evaluation stages and
// prediction chunks: 84 times per epoch here.)
// Bitwise: on one thread. With several, a hash grid's scatter-add (atomic
// float adds in thread order) makes two runs differ in the last bits, as two
// uninterrupted runs do; the resumed fit must then agree within float noise.
void check_resume(const pipeline::FitConfig& base, const fs::path& work, int stop_after, const std::string& where) {
  // Bit for bit where the order of every sum is fixed: the Fourier encoding
  // everywhere; trainable encodings, whose gradients are summed with atomics
  // on a GPU (and on several threads for the hash grid's scatter-adds), on
  // one thread, or for the learned scale on host backends.
  const std::string kind = base.field.encoding.kind;
  const bool host = Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemSpace>::accessible;
  const bool hashed = kind.find("hashgrid") != std::string::npos;
  const bool bitwise = kind == "fourier" || ExecSpace().concurrency() == 1 || (host && !hashed);
  pipeline::FitConfig straight = base, split = base;
  straight.out = (work / "straight").string();
  split.out = (work / "split").string();
  Recorder r1;
  const auto a = pipeline::fit_subject(straight, r1);
  REQUIRE(a.status == pipeline::FitOutcome::Status::finished);
  CHECK(r1.planned_calls == 1);
  CHECK(r1.epochs == 3);
  CHECK(r1.baselines == 2);

  int calls = 0;
  Recorder r2;
  const auto b = pipeline::fit_subject(split, r2, [&] { return ++calls > stop_after; });
  REQUIRE(b.interrupted());
  INFO("stopped " << b.where);
  CHECK(b.where.find(where) == 0);
  CHECK_FALSE(fs::exists(fs::path(split.out) / "s_a_desc-mcinr.nii.gz"));
  split.resume = true;
  Recorder r3;
  const auto c = pipeline::fit_subject(split, r3);
  REQUIRE(c.status == pipeline::FitOutcome::Status::finished);
  CHECK(r3.resumes == 1);
  CHECK_FALSE(c.resumed_at.empty());
  const io::Checkpoint ka = io::read_checkpoint((fs::path(straight.out) / "checkpoint.h5").string());
  const io::Checkpoint kb = io::read_checkpoint((fs::path(split.out) / "checkpoint.h5").string());
  CHECK(ka.encoding.kind == base.field.encoding.kind);
  REQUIRE(ka.metric_rows.size() == kb.metric_rows.size());
  if (bitwise) {
    for (const char* file : {"s_a_desc-mcinr.nii.gz", "s_b_desc-mcinr.nii.gz"})
      CHECK(bytes(fs::path(straight.out) / file) == bytes(fs::path(split.out) / file));
    CHECK(ka.parameters == kb.parameters);
    CHECK(ka.adam_m == kb.adam_m);
    CHECK(ka.encoding.parameters == kb.encoding.parameters);
    CHECK(ka.encoding.adam_v == kb.encoding.adam_v);
    for (std::size_t i = 0; i < ka.metric_rows.size(); ++i)
      for (std::size_t col : {0, 1, 2, 5, 6, 7, 8, 9}) CHECK(ka.metric_rows[i][col] == kb.metric_rows[i][col]);
    CHECK(a.final_scores->psnr[0] == c.final_scores->psnr[0]);
  } else {
    for (std::size_t i = 0; i < ka.metric_rows.size(); ++i)
      CHECK(ka.metric_rows[i][2] == Approx(kb.metric_rows[i][2]).epsilon(1e-3));  // loss
    CHECK(a.final_scores->psnr[0] == Approx(c.final_scores->psnr[0]).epsilon(1e-2));
  }
  // Run again with resume: complete, nothing written.
  const auto d = pipeline::fit_subject(split, r3);
  CHECK(d.status == pipeline::FitOutcome::Status::already_complete);
  CHECK(d.epochs_done == 3);
}

}  // namespace

TEST_CASE("a subject fit resumes bit for bit, with the Fourier encoding", "[pipeline][resume]") {
  const fs::path work = fresh_dir("fit_fourier");
  const std::string subject = make_subject(work);
  check_resume(small_fit(subject, work / "unused"), work, 5, "in epoch 1 at batch 6/27");
  fs::remove_all(work);
}

TEST_CASE("a subject fit stopped in an evaluation resumes bit for bit", "[pipeline][resume]") {
  const fs::path work = fresh_dir("fit_in_evaluation");
  const std::string subject = make_subject(work);
  check_resume(small_fit(subject, work / "unused"), work, 40, "at the evaluation of epoch 1");
  fs::remove_all(work);
}

TEST_CASE("a trainable encoding's state goes through the checkpoint: resume is bit for bit",
          "[pipeline][resume][encoding]") {
  testing::register_learned_scale();
  const fs::path work = fresh_dir("fit_learned_scale");
  const std::string subject = make_subject(work);
  pipeline::FitConfig config = small_fit(subject, work / "unused");
  config.field.encoding.kind = "learned-scale";
  config.field.encoding.lr = 5e-3;
  check_resume(config, work, 90, "in epoch 2 at batch 7/27");
  const io::Checkpoint k = io::read_checkpoint((work / "straight" / "checkpoint.h5").string());
  CHECK(k.encoding.parameters.size() == 32);
  CHECK(k.encoding.adam_steps > 0);
  fs::remove_all(work);
}

TEST_CASE("a hash-grid fit resumes bit for bit through its checkpoint", "[pipeline][resume][hashgrid]") {
  const fs::path work = fresh_dir("fit_hashgrid");
  const std::string subject = make_subject(work);
  pipeline::FitConfig config = small_fit(subject, work / "unused");
  config.field.encoding.kind = "hashgrid";
  config.field.encoding.hash_levels = 4;
  config.field.encoding.hash_log2_table = 10;
  config.field.encoding.hash_coarsest_mm = 8;
  config.field.encoding.hash_finest_mm = 2;
  config.field.encoding.lr = 1e-2;
  config.train.schedule = Schedule::cosine_step;
  check_resume(config, work, 90, "in epoch 2 at batch 7/27");
  const io::Checkpoint k = io::read_checkpoint((work / "straight" / "checkpoint.h5").string());
  CHECK(k.encoding.kind == "hashgrid");
  CHECK(k.encoding.attributes.at("domain_mm") > 20);  // the subject's extent, set by the fit
  fs::remove_all(work);
}

TEST_CASE("a fourier+hashgrid fit resumes through its checkpoint", "[pipeline][resume][encoding]") {
  const fs::path work = fresh_dir("fit_hybrid");
  const std::string subject = make_subject(work);
  pipeline::FitConfig config = small_fit(subject, work / "unused");
  config.field.encoding.kind = "fourier+hashgrid";
  config.field.encoding.hash_levels = 3;
  config.field.encoding.hash_log2_table = 8;
  config.field.encoding.hash_coarsest_mm = 8;
  config.field.encoding.hash_finest_mm = 2;
  check_resume(config, work, 90, "in epoch 2 at batch 7/27");
  const io::Checkpoint k = io::read_checkpoint((work / "straight" / "checkpoint.h5").string());
  CHECK(k.encoding.kind == "fourier+hashgrid");
  CHECK(k.encoding.arrays.count("1_matrix") == 1);
  CHECK(k.encoding.attributes.at("2_levels") == 3);
  fs::remove_all(work);
}

namespace {

io::Volume read(const fs::path& p) { return io::read_nifti(p.string()); }

}  // namespace

TEST_CASE("fast evaluation predicts the mask's voxels and scores them as the whole grid", "[pipeline][evaluation]") {
  const fs::path work = fresh_dir("fit_fast_evaluation");
  const std::string subject = make_subject(work);
  // A mask of every voxel: the mask's voxels are the grid, so the numbers
  // must be the same to the last digit (the selection, the prediction order
  // and the expansion back to the grid are exact).
  io::Volume all = read(fs::path(subject) / "s_a.nii.gz");
  for (float& v : all.voxels) v = 1;
  io::write_nifti((work / "all.nii.gz").string(), all);
  pipeline::FitConfig full = small_fit(subject, work / "full"), fast = small_fit(subject, work / "fast");
  full.brain_mask = fast.brain_mask = (work / "all.nii.gz").string();
  full.fast_evaluation = false;
  fast.fast_evaluation = true;
  Recorder r;
  pipeline::fit_subject(full, r);
  pipeline::fit_subject(fast, r);
  const io::Checkpoint a = io::read_checkpoint((work / "full" / "checkpoint.h5").string());
  const io::Checkpoint b = io::read_checkpoint((work / "fast" / "checkpoint.h5").string());
  REQUIRE(a.metric_rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t col = 5; col < a.metric_rows[i].size(); ++col) {
      INFO("epoch " << i + 1 << ", column " << a.metric_columns[col]);
      CHECK(b.metric_rows[i][col] == a.metric_rows[i][col]);
    }
  // The written volumes come from the whole grid either way.
  for (const char* file : {"s_a_desc-mcinr.nii.gz", "s_b_desc-mcinr.nii.gz"})
    CHECK(bytes(work / "full" / file) == bytes(work / "fast" / file));
  // With the subject's own brain mask, the epochs before the last predict
  // only its voxels; the last predicts the grid for the outputs. MI is
  // taken inside the mask: the same as a whole-grid evaluation's, within
  // rounding (the mask's voxels fall into other chunks of the prediction,
  // whose matrix products may round differently). PSNR and SSIM are not
  // always: the reference's normalisation divides by the whole volume's
  // maximum, and where the prediction's maximum lies outside the mask the
  // whole grid scores lower (this build: contrast 2 at epoch 2, 13.85
  // against 13.95 dB). The last row is the whole grid's in both.
  pipeline::FitConfig masked = small_fit(subject, work / "masked"), whole = small_fit(subject, work / "whole");
  masked.fast_evaluation = true;
  whole.fast_evaluation = false;
  Recorder m, w;
  pipeline::fit_subject(masked, m);
  pipeline::fit_subject(whole, w);
  const std::size_t grid = 24 * 24 * 24;
  REQUIRE(m.evaluated.size() == 3);
  CHECK(m.evaluated[0] > 0);
  CHECK(m.evaluated[0] < grid / 2);
  CHECK(m.evaluated[1] == m.evaluated[0]);
  CHECK(m.evaluated[2] == grid);
  CHECK(w.evaluated == std::vector<std::size_t>(3, grid));
  const io::Checkpoint cm = io::read_checkpoint((work / "masked" / "checkpoint.h5").string());
  const io::Checkpoint cw = io::read_checkpoint((work / "whole" / "checkpoint.h5").string());
  REQUIRE(cm.metric_rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t col = 5; col < cm.metric_rows[i].size(); ++col) {
      const std::string& name = cm.metric_columns[col];
      INFO("brain mask, epoch " << i + 1 << ", column " << name);
      if (i == 2 || name.rfind("mi_", 0) == 0)
        CHECK(cm.metric_rows[i][col] == Approx(cw.metric_rows[i][col]).epsilon(1e-6));
    }
  fs::remove_all(work);
}

TEST_CASE("beyond its scan's field of view a corrected contrast is the field's invention", "[pipeline][correction]") {
  // Scan a (axial, 4 mm) loses its top two planes, so the phantom's top
  // 8 mm lie outside its field of view; scan b (coronal) still samples
  // them. There contrast a's output must be its field (what the coverage
  // map calls invented), not the 0 of an interpolation outside the scan.
  const fs::path work = fresh_dir("residual_fov");
  const std::string subject = make_subject(work);
  io::Volume cropped = read(fs::path(subject) / "s_a_LR.nii.gz");
  const std::size_t plane = cropped.geometry.size[0] * cropped.geometry.size[1];
  REQUIRE(cropped.geometry.size[2] == 6);
  cropped.geometry.size[2] = 4;
  cropped.voxels.resize(4 * plane);
  io::write_nifti((work / "cropped_a_LR.nii.gz").string(), cropped);
  UntrainedField u(work / "cropped_a_LR.nii.gz", fs::path(subject) / "s_b_LR.nii.gz", subject, work, 1);
  const pipeline::Scan* scans = u.scans;
  const FieldDomain& domain = u.domain;
  Field<float>& field = u.trainer.field();
  const io::Geometry g = read(work / "hr0.nii.gz").geometry;
  const std::size_t n = g.voxels();
  for (const double detail : {0.0, 1.0}) {  // the fading detail's interpolation is 0 there too
    INFO("detail " << detail << " mm");
    pipeline::ResidualCorrection::Options o;
    o.mask_margin_mm = 1;
    o.detail_mm = {detail, detail};
    const pipeline::ResidualCorrection rc(
        scans, domain, g, pipeline::fields_of_view({scans[0].volume.geometry, scans[1].volume.geometry}, g), o);
    Matrix<float> predicted("predicted", n, 2);
    REQUIRE(field.predict(pipeline::grid_coordinates(g, domain), predicted));
    const auto before = Kokkos::create_mirror(Kokkos::HostSpace(), predicted);  // a copy, also on host backends
    Kokkos::deep_copy(before, predicted);
    REQUIRE(rc.apply(field, predicted, {}));
    const auto after = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), predicted);
    const auto support = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), rc.support());
    REQUIRE(support.extent(0) == n);
    // Voxels beyond scan a's field of view (by more than 3/4 of a plane) and
    // 3 voxels inside the phantom's sphere, where scan b's samples reach.
    std::size_t beyond = 0, invented = 0, predicted_there = 0;
    for (std::size_t k = 0; k < 24; ++k)
      for (std::size_t j = 0; j < 24; ++j)
        for (std::size_t i = 0; i < 24; ++i) {
          const auto index = scans[0].volume.geometry.continuous_index(g.world(double(i), double(j), double(k)));
          if (index[2] > -0.75 && index[2] < 3.75) continue;
          const double x = i + 0.5 - 12, y = j + 0.5 - 12, z = k + 0.5 - 12;
          if (std::sqrt(x * x + y * y + z * z) > std::sqrt(0.8) * 12 - 3) continue;
          const std::size_t v = i + 24 * (j + 24 * k);
          ++beyond;
          invented += after(v, 0) == before(v, 0) ? 1 : 0;
          predicted_there += support(v);  // the written volumes predict them
        }
    CHECK(beyond > 50);
    CHECK(invented == beyond);
    CHECK(predicted_there == beyond);
  }
  fs::remove_all(work);
}

TEST_CASE("a foreground fit's residual correction evaluates its support, with the whole grid's numbers",
          "[pipeline][evaluation][correction]") {
  // The voxels beyond the support are the scans' interpolation whatever the
  // field says (the test of ResidualCorrection::support), so every
  // evaluation predicts only the support: fast evaluation then changes
  // nothing, not a digit of the rows, not a byte of the volumes.
  const fs::path work = fresh_dir("fit_support");
  const std::string subject = make_subject(work);
  pipeline::FitConfig fast = small_fit(subject, work / "fast");
  fast.mask_margin = 1;
  fast.residual_correction = true;
  fast.fast_evaluation = true;
  pipeline::FitConfig whole = fast;
  whole.out = (work / "whole").string();
  whole.fast_evaluation = false;
  struct Planned : Recorder {
    pipeline::FitPlan plan;
    void planned(const pipeline::FitPlan& p) override { plan = p; }
  } f, w;
  pipeline::fit_subject(fast, f);
  pipeline::fit_subject(whole, w);
  const std::size_t grid = 24 * 24 * 24;
  const std::size_t support = f.plan.predicted_voxels;
  CHECK(support > grid / 10);
  CHECK(support < grid);
  CHECK(w.plan.predicted_voxels == support);
  bool noted = false;
  for (const std::string& note : f.plan.notes)
    noted = noted || note.rfind("output prediction: " + std::to_string(support) + " of the grid's", 0) == 0;
  CHECK(noted);
  CHECK(f.evaluated == std::vector<std::size_t>(3, support));
  CHECK(w.evaluated == std::vector<std::size_t>(3, support));
  const io::Checkpoint a = io::read_checkpoint((work / "fast" / "checkpoint.h5").string());
  const io::Checkpoint b = io::read_checkpoint((work / "whole" / "checkpoint.h5").string());
  REQUIRE(a.metric_rows.size() == 3);
  REQUIRE(b.metric_rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t col = 5; col < a.metric_rows[i].size(); ++col) {
      INFO("epoch " << i + 1 << ", column " << a.metric_columns[col]);
      CHECK(a.metric_rows[i][col] == b.metric_rows[i][col]);
    }
  for (const char* file : {"s_a_desc-mcinr.nii.gz", "s_b_desc-mcinr.nii.gz"})
    CHECK(bytes(work / "fast" / file) == bytes(work / "whole" / file));
  fs::remove_all(work);
}

TEST_CASE("residual correction keeps the measurements, beyond the sampled voxels the scan is interpolated",
          "[pipeline][correction]") {
  const fs::path work = fresh_dir("fit_residual");
  const std::string subject = make_subject(work);
  const io::Volume lr = read(fs::path(subject) / "s_a_LR.nii.gz");  // axial: LR slice k is HR slice 4 k + 3
  float hi = 0;
  for (float v : lr.voxels) hi = std::max(hi, v);
  for (const auto& [margin, detail] : {std::pair{-1.0, 0.0}, std::pair{1.0, 0.0}, std::pair{1.0, 0.7}}) {
    INFO("--mask-margin " << margin << " --residual-detail-mm " << detail);
    // Data consistency changes only the measured voxels: elsewhere its
    // output is the field, the same field as the corrected fit's (training
    // does not see either), in the same units (neither output is stretched).
    pipeline::FitConfig consistent = small_fit(subject, work / "consistent");
    consistent.mask_margin = margin;
    consistent.data_consistency = true;
    consistent.no_mask_output = true;  // every measured voxel written
    pipeline::FitConfig corrected = consistent;
    corrected.out = (work / "corrected").string();
    corrected.data_consistency = false;
    corrected.residual_correction = true;
    corrected.residual_detail_mm = {detail, detail};
    Recorder r;
    pipeline::fit_subject(consistent, r);
    pipeline::fit_subject(corrected, r);
    const io::Volume f = read(work / "consistent" / "s_a_desc-mcinr.nii.gz");
    const io::Volume out = read(work / "corrected" / "s_a_desc-mcinr.nii.gz");
    const std::size_t planes = lr.geometry.size[2];
    double on_planes = 0, far = 0, changed = 0;
    for (std::size_t j = 0; j < 24; ++j)
      for (std::size_t i = 0; i < 24; ++i)
        for (std::size_t k = 0; k < planes; ++k) {
          const bool sampled = margin < 0 || lr.at(i, j, k) > 0;  // inside the scan's mask (its nonzero voxels)
          if (sampled) on_planes = std::max(on_planes, double(std::abs(out.at(i, j, 4 * k + 3) - lr.at(i, j, k))));
          // Between the planes the residual is added where the fit sampled.
          if (sampled && k + 1 < planes && lr.at(i, j, k + 1) > 0)
            changed = std::max(changed, double(std::abs(out.at(i, j, 4 * k + 5) - f.at(i, j, 4 * k + 5))));
        }
    // A corner column, far from the mask, where the fit took no sample: the
    // scan's own interpolation (0 there), not the unfitted field's guess.
    if (margin >= 0) {
      for (std::size_t k = 0; k < 24; ++k) far = std::max(far, double(std::abs(out.at(0, 0, k))));
      CHECK(std::abs(f.at(0, 0, 1)) > 1e-5 * hi);  // the field alone is not 0 there
    }
    CHECK(on_planes < 1e-3 * hi);
    CHECK(changed > 1e-2 * hi);
    CHECK(far < 1e-5 * hi);
    fs::remove_all(work / "consistent");
    fs::remove_all(work / "corrected");
  }
  fs::remove_all(work);
}

TEST_CASE("each contrast's residual detail is faded with its own sigma and power", "[pipeline][correction]") {
  // The written volumes of a fit with per-contrast values are, contrast by
  // contrast, those of fits with that contrast's values for both: training
  // does not see these options, so the three fits share one field.
  const fs::path work = fresh_dir("fit_detail_per_contrast");
  const std::string subject = make_subject(work);
  auto fit = [&](const std::string& name, std::array<double, 2> mm, std::array<double, 2> power) {
    pipeline::FitConfig c = small_fit(subject, work / name);
    c.mask_margin = 1;
    c.residual_correction = true;
    c.residual_detail_mm = mm;
    c.residual_detail_power = power;
    Recorder r;
    pipeline::fit_subject(c, r);
    return std::array<io::Volume, 2>{read(work / name / "s_a_desc-mcinr.nii.gz"),
                                     read(work / name / "s_b_desc-mcinr.nii.gz")};
  };
  const auto keep = fit("keep", {1.5, 1.5}, {0.5, 0.5});  // the detail's variance kept between slices
  const auto fade = fit("fade", {0.7, 0.7}, {2, 2});
  const auto mixed = fit("mixed", {1.5, 0.7}, {0.5, 2});
  auto largest_difference = [](const io::Volume& a, const io::Volume& b) {
    double d = 0;
    for (std::size_t v = 0; v < a.voxels.size(); ++v) d = std::max(d, double(std::abs(a.voxels[v] - b.voxels[v])));
    return d;
  };
  float hi = 0;
  for (float v : keep[0].voxels) hi = std::max(hi, v);
  CHECK(largest_difference(keep[0], fade[0]) > 1e-3 * hi);  // the settings matter
  CHECK(largest_difference(keep[1], fade[1]) > 1e-3 * hi);
  CHECK(largest_difference(mixed[0], keep[0]) < 1e-6 * hi);
  CHECK(largest_difference(mixed[1], fade[1]) < 1e-6 * hi);
  fs::remove_all(work);
}

TEST_CASE("the field domain is the reference's RAS range, mirrored in x and y", "[pipeline][domain]") {
  // A scan whose box is not symmetric under RAS <-> LPS (origin at a corner,
  // LPS axes): the reference (nibabel, RAS) takes one range over all RAS
  // coordinates of both grids and maps each to [-1, 1]. mcinr must use that
  // range, and its x and y field coordinates are the reference's negated.
  io::Geometry a, b;
  a.size = {100, 80, 25};
  a.spacing = {1, 1, 2};
  a.origin = {10, -20, 5};
  b.size = {100, 20, 50};
  b.spacing = {1, 4, 1};
  b.origin = {10, -20, 5};
  const FieldDomain domain = pipeline::fit_domain(a, b);
  // RAS corners: x in [-109, -10], y in [-59, 20] (b reaches y = -20 + 76), z in [5, 54].
  CHECK(domain.ras);
  CHECK(domain.lo == Approx(-109));
  CHECK(domain.hi == Approx(54));
  for (const io::Geometry* g : {&a, &b}) {
    const pipeline::GridMap map(*g, domain);
    for (const std::array<std::size_t, 3> v : {std::array<std::size_t, 3>{0, 0, 0}, {99, 19, 24}, {37, 11, 3}}) {
      const auto lps = g->world(double(v[0]), double(v[1]), double(v[2]));
      const double ras[3] = {-lps[0], -lps[1], lps[2]};
      for (int r = 0; r < 3; ++r) {
        const double reference = 2 * (ras[r] - domain.lo) / (domain.hi - domain.lo) - 1;
        CHECK(map.field(r, {v[0], v[1], v[2]}) == Approx(r < 2 ? -reference : reference).margin(1e-12));
        CHECK(std::abs(reference) <= 1 + 1e-12);
      }
    }
  }
  // A checkpoint from before (LPS range, every axis from lo) keeps its map.
  const FieldDomain old = FieldDomain::from_range(-20, 99, false);
  CHECK(old.to_field(0, -20) == Approx(-1));
  CHECK(old.to_field(1, 99) == Approx(1));
}

TEST_CASE("the residual of a scan with a slice profile is to the profile-weighted field", "[pipeline][correction]") {
  const fs::path work = fresh_dir("residual_profile");
  const std::string subject = make_subject(work);
  UntrainedField u(fs::path(subject) / "s_a_LR.nii.gz", fs::path(subject) / "s_b_LR.nii.gz", subject, work, -1);
  const pipeline::Scan* scans = u.scans;
  const FieldDomain& domain = u.domain;
  Field<float>& field = u.trainer.field();
  const io::Volume lr = read(fs::path(subject) / "s_a_LR.nii.gz");  // axial, 4 mm along z
  const io::Geometry& g = lr.geometry;
  for (const ProfileKind kind : {ProfileKind::point, ProfileKind::gaussian, ProfileKind::box}) {
    INFO("profile " << to_string(kind));
    pipeline::ResidualCorrection::Options o;
    if (kind != ProfileKind::point)
      for (int i = 0; i < 2; ++i) o.profiles.push_back(pipeline::slice_profile(scans[i], domain, kind, 0));
    o.profile_points = 5;
    const pipeline::ResidualCorrection rc(
        scans, domain, g, pipeline::fields_of_view({scans[0].volume.geometry, scans[1].volume.geometry}, g), o);
    const io::Volume residual = rc.residual(field, 0, {});
    REQUIRE(residual.voxels.size() == g.voxels());
    // By hand: 5 points at the centres of 5 strata of the profile's weight
    // across the slab (z, 4 mm thick; the Gaussian's quantiles by bisection
    // on erfc, truncated at +-3 sigma), equal weights, for a few voxels.
    const int points = kind == ProfileKind::point ? 1 : 5;
    const std::size_t probe[3][3] = {{12, 12, 2}, {5, 17, 1}, {20, 9, 4}};
    Matrix<float> at("at", 3, 3 * std::size_t(points));
    auto host = Kokkos::create_mirror_view(at);
    std::vector<double> weight(static_cast<std::size_t>(points), 0.0);
    for (int v = 0; v < 3; ++v)
      for (int j = 0; j < points; ++j) {
        const double u = (j + 0.5) / points, sigma = 4.0 / 2.3548200450309493;
        double t_mm = 0, w = 1;
        if (kind == ProfileKind::box) t_mm = 4.0 * (u - 0.5);
        if (kind == ProfileKind::gaussian) {
          auto cdf = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
          const double target = cdf(-3) + u * (1 - 2 * cdf(-3));
          double lo = -3, hi = 3;
          for (int i = 0; i < 60; ++i) (cdf(0.5 * (lo + hi)) < target ? lo : hi) = 0.5 * (lo + hi);
          t_mm = 0.5 * (lo + hi) * sigma;
        }
        weight[std::size_t(j)] = w;
        const auto p = g.world(double(probe[v][0]), double(probe[v][1]), double(probe[v][2]) + t_mm / 4.0);
        for (int r = 0; r < 3; ++r) host(r, std::size_t(v * points + j)) = float(domain.to_field(r, p[r]));
      }
    Kokkos::deep_copy(at, host);
    Matrix<float> out("out", 3 * std::size_t(points), 2);
    REQUIRE(field.predict(at, out));
    const auto f = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    double total = 0;
    for (double w : weight) total += w;
    for (int v = 0; v < 3; ++v) {
      double mean = 0;
      for (int j = 0; j < points; ++j) mean += weight[std::size_t(j)] / total * f(std::size_t(v * points + j), 0);
      const double measured =
          (lr.at(probe[v][0], probe[v][1], probe[v][2]) - scans[0].lo) / (scans[0].hi - scans[0].lo);
      CHECK(residual.at(probe[v][0], probe[v][1], probe[v][2]) == Approx(measured - mean).margin(1e-5));
    }
  }
  fs::remove_all(work);
}

TEST_CASE("the residual correction reads the prediction only on its support", "[pipeline][correction]") {
  // A foreground fit's correction writes w F + Interp(...): where w = 0 for
  // both contrasts the prediction is not read, so the written volumes may
  // skip those voxels. Garbage there must change nothing, to the bit; a
  // change on any support voxel must change its output.
  const fs::path work = fresh_dir("residual_support");
  const std::string subject = make_subject(work);
  UntrainedField u(fs::path(subject) / "s_a_LR.nii.gz", fs::path(subject) / "s_b_LR.nii.gz", subject, work, 1);
  const pipeline::Scan* scans = u.scans;
  const FieldDomain& domain = u.domain;
  Field<float>& field = u.trainer.field();
  const io::Geometry g = read(work / "hr0.nii.gz").geometry;
  const std::size_t n = g.voxels();
  for (const double detail : {0.0, 1.0}) {
    INFO("detail " << detail << " mm");
    pipeline::ResidualCorrection::Options o;
    o.mask_margin_mm = 1;
    o.detail_mm = {detail, detail};
    const pipeline::ResidualCorrection rc(
        scans, domain, g, pipeline::fields_of_view({scans[0].volume.geometry, scans[1].volume.geometry}, g), o);
    const pipeline::DeviceMask support = rc.support();
    REQUIRE(support.extent(0) == n);
    const auto inside = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), support);
    std::size_t count = 0;
    for (std::size_t v = 0; v < n; ++v) count += inside(v);
    CHECK(count > n / 10);
    CHECK(count < n);
    Matrix<float> predicted("predicted", n, 2);
    REQUIRE(field.predict(pipeline::grid_coordinates(g, domain), predicted));
    const auto base = Kokkos::create_mirror(Kokkos::HostSpace(), predicted);  // copies, also on host backends
    Kokkos::deep_copy(base, predicted);
    // Three predictions: the field's; garbage off the support; and the
    // field's moved by 0.25 on the support.
    Matrix<float> variant[3];
    for (int k = 0; k < 3; ++k) {
      auto host = Kokkos::create_mirror(Kokkos::HostSpace(), predicted);
      Kokkos::deep_copy(host, base);
      for (std::size_t v = 0; v < n; ++v)
        for (int i = 0; i < 2; ++i) {
          if (k == 1 && !inside(v)) host(v, i) = i ? -7.0f : 1e3f;
          if (k == 2 && inside(v)) host(v, i) += 0.25f;
        }
      variant[k] = Matrix<float>("variant", n, 2);
      Kokkos::deep_copy(variant[k], host);
      REQUIRE(rc.apply(field, variant[k], {}));
    }
    const auto a = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), variant[0]);
    const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), variant[1]);
    const auto moved = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), variant[2]);
    std::size_t same = 0, changed = 0;
    for (std::size_t v = 0; v < n; ++v)
      for (int i = 0; i < 2; ++i) {
        same += a(v, i) == b(v, i) ? 1 : 0;
        changed += inside(v) && moved(v, i) != a(v, i) ? 1 : 0;
      }
    CHECK(same == 2 * n);
    // A support voxel reads at least one contrast's prediction.
    std::size_t read_somewhere = 0;
    for (std::size_t v = 0; v < n; ++v)
      read_somewhere += inside(v) && (moved(v, 0) != a(v, 0) || moved(v, 1) != a(v, 1)) ? 1 : 0;
    CHECK(read_somewhere == count);
    CHECK(changed > count);
  }
  fs::remove_all(work);
}

TEST_CASE("the foreground margin is a box dilation of the mask, rounded up to whole voxels, fast for any margin",
          "[pipeline][sampling]") {
  // A 30 x 20 x 9 scan (1 x 1 x 4 mm) with a few mask voxels, against a
  // brute-force box dilation written out here.
  pipeline::Scan scan;
  io::Geometry& g = scan.volume.geometry;
  g.size = {30, 20, 9};
  g.spacing = {1, 1, 4};
  const std::size_t n = g.voxels();
  std::vector<std::uint8_t> mask(n, 0);
  for (const std::size_t v : {0ul, 17ul + 30 * (5 + 20 * 4), 29ul + 30 * (19 + 20 * 8), 12ul + 30 * (10 + 20 * 2)})
    mask[v] = 1;
  scan.volume.values = pipeline::DeviceValues("values", n);
  scan.mask = pipeline::DeviceMask("mask", n);
  Kokkos::deep_copy(scan.mask,
                    Kokkos::View<const std::uint8_t*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(mask.data(), n));
  for (const double margin : {0.0, 1.0, 2.5, 4.0, 9.0, 1e3}) {
    INFO("margin " << margin << " mm");
    Kokkos::View<std::size_t*, MemSpace> index("index", n);
    const std::size_t count = pipeline::choose_voxels(scan, margin, 0, 1, index);
    const auto chosen = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), index);
    std::vector<std::size_t> expected;
    // The reach rounds up: 2.5 mm is 3 voxels in-plane and one 4 mm plane.
    const long r[3] = {long(std::min(std::ceil(margin / 1), 30.0)), long(std::min(std::ceil(margin / 1), 20.0)),
                       long(std::min(std::ceil(margin / 4), 9.0))};
    for (long k = 0; k < 9; ++k)
      for (long j = 0; j < 20; ++j)
        for (long i = 0; i < 30; ++i) {
          bool near = false;
          for (long c = std::max(0L, k - r[2]); c <= std::min(8L, k + r[2]); ++c)
            for (long b = std::max(0L, j - r[1]); b <= std::min(19L, j + r[1]); ++b)
              for (long a = std::max(0L, i - r[0]); a <= std::min(29L, i + r[0]); ++a)
                near = near || mask[a + 30 * (b + 20 * c)];
          if (near) expected.push_back(std::size_t(i + 30 * (j + 20 * k)));
        }
    REQUIRE(count == expected.size());
    for (std::size_t s = 0; s < count; ++s) CHECK(chosen(s) == expected[s]);
  }
}

TEST_CASE("the brain floor is the lowest intensity a scan measured inside the mask, in world space",
          "[pipeline][floor]") {
  // An 8 x 8 x 16 grid (1 mm, origin 0) and an 8 x 8 x 4 scan of 4 mm
  // slices whose centres fall on grid planes 1, 5, 9, 13 (z up) or 13, 9,
  // 5, 1 (z flipped); voxel (i, j, k) holds 100 k + 10 j + i - 50.
  io::Geometry grid;
  grid.size = {8, 8, 16};
  std::vector<std::uint8_t> mask(grid.voxels(), 0);
  for (std::size_t z = 9; z <= 13; ++z)  // planes 9..13, x >= 3, y >= 2
    for (std::size_t y = 2; y < 8; ++y)
      for (std::size_t x = 3; x < 8; ++x) mask[x + 8 * (y + 8 * z)] = 1;
  pipeline::Scan scan;
  io::Geometry& g = scan.volume.geometry;
  g.size = {8, 8, 4};
  g.spacing = {1, 1, 4};
  std::vector<float> values;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 8; ++j)
      for (int i = 0; i < 8; ++i) values.push_back(float(100 * k + 10 * j + i - 50));
  scan.volume.values = to_device(values);
  g.origin = {0, 0, 1};
  // Slices 2 and 3 (planes 9, 13) lie in the mask: 200 + 20 + 3 - 50.
  CHECK(pipeline::lowest_inside(scan, grid, mask) == 173);
  g.direction = {1, 0, 0, 0, 1, 0, 0, 0, -1};
  g.origin = {0, 0, 13};
  // Now slices 0 and 1 do: 0 + 20 + 3 - 50.
  CHECK(pipeline::lowest_inside(scan, grid, mask) == -27);
  // Shifted half a voxel in x: the centres x + 0.4 still round to x.
  g.origin = {0.4, 0, 13};
  CHECK(pipeline::lowest_inside(scan, grid, mask) == -27);
  g.origin = {-0.6, 0, 13};  // now x - 0.6 rounds to x - 1: i = 4 is the first inside
  CHECK(pipeline::lowest_inside(scan, grid, mask) == -26);
  std::fill(mask.begin(), mask.end(), 0);
  CHECK(std::isnan(pipeline::lowest_inside(scan, grid, mask)));
  CHECK_THROWS(pipeline::lowest_inside(scan, grid, std::vector<std::uint8_t>(10, 1)));
}

TEST_CASE("the brain floor (--brain-floor) lifts the prediction inside the brain mask to what the scans measured there",
          "[pipeline][floor]") {
  const fs::path work = fresh_dir("fit_brain_floor");
  const std::string subject = make_subject(work);
  const io::Volume brain = read(fs::path(subject) / "s_brainmask.nii.gz");
  // The scans' voxels on the 1 mm grid: s_a's slice k is plane 4 k + 3 (z),
  // s_b's slice k plane 4 k + 3 (y); the lowest of each inside the mask.
  const io::Volume lr_a = read(fs::path(subject) / "s_a_LR.nii.gz"), lr_b = read(fs::path(subject) / "s_b_LR.nii.gz");
  float lowest[2] = {1e30f, 1e30f};
  for (std::size_t k = 0; k < 6; ++k)
    for (std::size_t j = 0; j < 24; ++j)
      for (std::size_t i = 0; i < 24; ++i) {
        if (brain.at(i, j, 4 * k + 3) > 0) lowest[0] = std::min(lowest[0], lr_a.at(i, j, k));
        if (brain.at(i, 4 * k + 3, j) > 0) lowest[1] = std::min(lowest[1], lr_b.at(i, k, j));
      }
  REQUIRE(lowest[0] > 0);
  // Without the floor the 3-epoch field dips below it inside the mask;
  // with it, nothing there is lower, and the dips sit on the floor.
  for (const bool floor : {false, true}) {
    pipeline::FitConfig c = small_fit(subject, work / (floor ? "floor" : "plain"));
    c.clamp = true;
    c.brain_floor = floor;
    struct : Recorder {
      std::string note;
      void planned(const pipeline::FitPlan& p) override {
        for (const auto& n : p.notes)
          if (n.rfind("brain floor", 0) == 0) note = n;
      }
    } r;
    pipeline::fit_subject(c, r);
    INFO(r.note);
    for (int ci = 0; ci < 2; ++ci) {
      const io::Volume out = read(fs::path(c.out) / (ci ? "s_b_desc-mcinr.nii.gz" : "s_a_desc-mcinr.nii.gz"));
      float least = 1e30f;
      std::size_t on_floor = 0;
      for (std::size_t v = 0; v < out.voxels.size(); ++v) {
        if (brain.voxels[v] <= 0) continue;
        least = std::min(least, out.voxels[v]);
        on_floor += std::abs(out.voxels[v] - lowest[ci]) < 1e-3f * lowest[ci] ? 1 : 0;
      }
      INFO("contrast " << ci << (floor ? " with" : " without") << " the floor: in-mask minimum " << least << ", floor "
                       << lowest[ci]);
      if (!floor) {
        CHECK(least < lowest[ci] * (1 - 1e-3f));
      } else {
        CHECK(least >= lowest[ci] * (1 - 1e-5f));
        CHECK(on_floor > 0);
      }
      // The sidecar says what the volume was lifted to, where it was.
      const auto sidecar =
          nlohmann::json::parse(bytes(fs::path(c.out) / (ci ? "s_b_desc-mcinr.json" : "s_a_desc-mcinr.json")));
      CHECK(sidecar.contains("BrainFloor") == floor);
      if (floor) CHECK(sidecar.at("BrainFloor").get<double>() == Approx(lowest[ci]).epsilon(1e-6));
    }
  }
  fs::remove_all(work);
}

TEST_CASE("a finished fit whose outputs went missing writes them again on --resume, without training",
          "[pipeline][resume]") {
  const fs::path work = fresh_dir("rewrite_outputs");
  const std::string subject = make_subject(work);
  pipeline::FitConfig c = small_fit(subject, work / "fit");
  Recorder first;
  pipeline::fit_subject(c, first);
  auto bytes = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string volume2 = bytes(work / "fit" / "s_b_desc-mcinr.nii.gz");
  const std::string metrics = bytes(work / "fit" / "metrics.csv");
  // As a kill between the final checkpoint and the last outputs leaves it.
  fs::remove(work / "fit" / "s_b_desc-mcinr.nii.gz");
  fs::remove(work / "fit" / "slices.png");
  fs::remove(work / "fit" / "summary.json");
  c.resume = true;
  Recorder again;
  const pipeline::FitOutcome o = pipeline::fit_subject(c, again);
  CHECK(o.status == pipeline::FitOutcome::Status::finished);
  CHECK(again.batches == 0);  // no training
  CHECK(bytes(work / "fit" / "s_b_desc-mcinr.nii.gz") == volume2);
  CHECK(bytes(work / "fit" / "metrics.csv") == metrics);
  CHECK(fs::is_regular_file(work / "fit" / "slices.png"));
  CHECK(fs::is_regular_file(work / "fit" / "summary.json"));
  // Now complete: a further resume has nothing to do.
  Recorder third;
  CHECK(pipeline::fit_subject(c, third).status == pipeline::FitOutcome::Status::already_complete);
  fs::remove_all(work);
}

TEST_CASE("a checkpoint with NaN weights or a broken range is refused by infer and resume", "[pipeline][checkpoint]") {
  const fs::path work = fresh_dir("nan_checkpoint");
  const std::string subject = make_subject(work);
  pipeline::FitConfig c = small_fit(subject, work / "fit");
  c.train.epochs = 1;
  Recorder r;
  pipeline::fit_subject(c, r);
  const std::string good = (work / "fit" / "checkpoint.h5").string();
  REQUIRE_NOTHROW(pipeline::load_saved_field(good));
  const io::Checkpoint saved = io::read_checkpoint(good);
  auto damaged = [&](const std::string& name, auto edit) {
    io::Checkpoint bad = saved;
    edit(bad);
    fs::create_directories(work / name);
    const std::string path = (work / name / "checkpoint.h5").string();
    io::write_checkpoint(path, bad);
    return path;
  };
  const std::string nan_weight =
      damaged("nan_weight", [](io::Checkpoint& k) { k.parameters[7] = std::numeric_limits<float>::quiet_NaN(); });
  CHECK_THROWS_WITH(pipeline::load_saved_field(nan_weight), Catch::Contains("parameters hold NaN or infinite values"));
  const std::string inf_moment =
      damaged("inf_moment", [](io::Checkpoint& k) { k.adam_v[3] = std::numeric_limits<float>::infinity(); });
  const std::string bad_range = damaged("bad_range", [](io::Checkpoint& k) { k.intensity_hi[1] = k.intensity_lo[1]; });
  CHECK_THROWS_WITH(pipeline::load_saved_field(bad_range), Catch::Contains("no valid intensity range"));
  // --resume from a checkpoint with an infinite Adam moment: refused before
  // anything is written, the checkpoint left as it was.
  pipeline::FitConfig resume = c;
  resume.out = (work / "inf_moment").string();
  resume.resume = true;
  CHECK_THROWS_WITH(pipeline::SubjectFit(resume), Catch::Contains("Adam moments hold NaN or infinite values"));
  CHECK(fs::is_regular_file(inf_moment));
  CHECK_FALSE(fs::exists(work / "inf_moment" / "summary.json"));
  // Fields out of range for the fit the checkpoint claims to be.
  damaged("late", [](io::Checkpoint& k) { k.epochs_done = 99; });
  resume.out = (work / "late").string();
  CHECK_THROWS_WITH(pipeline::SubjectFit(resume), Catch::Contains("its epochs_done (99) is outside 0..1"));
  damaged("far_batch", [](io::Checkpoint& k) { k.epochs_done = 0, k.next_batch = 1000000000000ull; });
  resume.out = (work / "far_batch").string();
  CHECK_THROWS_WITH(pipeline::SubjectFit(resume), Catch::Contains("its next_batch (1000000000000) is beyond"));
  const std::string no_grid = damaged("no_grid", [](io::Checkpoint& k) { k.grid.size[1] = 0; });
  CHECK_THROWS_WITH(pipeline::load_saved_field(no_grid), Catch::Contains("its output grid is not valid"));
  const std::string nan_spacing =
      damaged("nan_spacing", [](io::Checkpoint& k) { k.grid.spacing[2] = std::numeric_limits<double>::quiet_NaN(); });
  CHECK_THROWS_WITH(pipeline::load_saved_field(nan_spacing), Catch::Contains("its output grid is not valid"));
  resume.out = (work / "no_grid").string();
  CHECK_THROWS_WITH(pipeline::SubjectFit(resume), Catch::Contains("fitted for another output grid"));
  // A checkpoint of other inputs (another subject on the same grid): the
  // content hash of the first scan differs.
  REQUIRE(saved.input_hashes[0] != 0);
  damaged("other_subject", [](io::Checkpoint& k) { k.input_hashes[0] ^= 1; });
  resume.out = (work / "other_subject").string();
  CHECK_THROWS_WITH(pipeline::SubjectFit(resume), Catch::Contains("it was fitted to other inputs (the content of"));
  // A setting stored only where it is on (fast encoding): both ways refused.
  damaged("fast_encoding", [](io::Checkpoint& k) { k.settings["fast_encoding"] = 1; });
  resume.out = (work / "fast_encoding").string();
  CHECK_THROWS_WITH(pipeline::SubjectFit(resume),
                    Catch::Contains("it was written with another fast_encoding (1.000000, now none)"));
  pipeline::FitConfig fast = resume;
  fast.train.fast_encoding = true;
  CHECK_NOTHROW(pipeline::SubjectFit(fast));
  damaged("plain", [](io::Checkpoint&) {});
  fast.out = (work / "plain").string();
  CHECK_THROWS_WITH(pipeline::SubjectFit(fast),
                    Catch::Contains("it was written with another fast_encoding (none, now 1.000000)"));
  // Checkpoints from before the hashes were kept (0: unknown) still resume.
  damaged("no_hashes", [](io::Checkpoint& k) { k.input_hashes = {0, 0}; });
  resume.out = (work / "no_hashes").string();
  CHECK_NOTHROW(pipeline::SubjectFit(resume));
  fs::remove_all(work);
}

TEST_CASE("data consistency keeps the measurements, clamping keeps the scans' range", "[pipeline]") {
  const fs::path work = fresh_dir("fit_consistency");
  const std::string subject = make_subject(work);
  pipeline::FitConfig c = small_fit(subject, work / "fit");
  c.data_consistency = true;
  c.clamp = true;
  c.no_mask_output = true;  // every measured voxel written
  Recorder r;
  pipeline::fit_subject(c, r);
  // s_a is axial: LR slice k is HR slice 4 k + 3; s_b coronal along y.
  const io::Volume lr_a = read(fs::path(subject) / "s_a_LR.nii.gz"),
                   out_a = read(work / "fit" / "s_a_desc-mcinr.nii.gz");
  const io::Volume lr_b = read(fs::path(subject) / "s_b_LR.nii.gz"),
                   out_b = read(work / "fit" / "s_b_desc-mcinr.nii.gz");
  float lo = 1e30f, hi = -1e30f;
  for (float v : lr_a.voxels) lo = std::min(lo, v), hi = std::max(hi, v);
  double worst = 0;
  for (std::size_t k = 0; k < lr_a.geometry.size[2]; ++k)
    for (std::size_t j = 0; j < 24; ++j)
      for (std::size_t i = 0; i < 24; ++i) {
        worst = std::max(worst, double(std::abs(out_a.at(i, j, 4 * k + 3) - lr_a.at(i, j, k))));
        worst = std::max(worst, double(std::abs(out_b.at(i, 4 * k + 3, j) - lr_b.at(i, k, j))));
      }
  CHECK(worst < 1e-3 * hi);
  for (float v : out_a.voxels) {
    CHECK(v >= lo - 1e-3f * hi);
    CHECK(v <= hi * (1 + 1e-6f));
  }
  pipeline::FitConfig bad = c;
  bad.slice_profile = ProfileKind::box;
  CHECK_THROWS_WITH(pipeline::SubjectFit(bad), Catch::StartsWith("--data-consistency is for point samples"));
  fs::remove_all(work);
}

TEST_CASE("clamping keeps [0, 1], or with a slice profile only the floor of the scans' range", "[pipeline]") {
  const std::vector<float> values = {-0.5f, 0.3f, 1.2f, 7.0f, 0.0f, 1.0f, -2.0f, 0.9f};  // 4 x 2, column major
  for (const bool above : {true, false}) {
    Matrix<float> m("m", 4, 2);
    const auto h = Kokkos::create_mirror_view(m);
    for (std::size_t i = 0; i < values.size(); ++i) h(i % 4, i / 4) = values[i];
    Kokkos::deep_copy(m, h);
    pipeline::clamp_unit(m, above);
    Kokkos::deep_copy(h, m);
    for (std::size_t i = 0; i < values.size(); ++i) {
      INFO("value " << values[i] << (above ? ", clamped to [0, 1]" : ", clamped from below"));
      const float expected = std::max(0.0f, above ? std::min(1.0f, values[i]) : values[i]);
      CHECK(h(i % 4, i / 4) == expected);
    }
  }
}

TEST_CASE("a time budget ends the fit within it, the rate falling over what it allows", "[pipeline][budget]") {
  const fs::path work = fresh_dir("fit_budget");
  const std::string subject = make_subject(work);
  pipeline::FitConfig c = small_fit(subject, work / "fit");
  c.train.epochs = 100000;
  c.eval_every = 100000;
  c.time_budget = 6;
  const auto start = std::chrono::steady_clock::now();
  Recorder r;
  const pipeline::FitOutcome o = pipeline::fit_subject(c, r);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(o.stop_reason == "budget");
  CHECK(seconds < 6.5);
  CHECK(o.epochs_done > 2);
  const io::Checkpoint k = io::read_checkpoint((work / "fit" / "checkpoint.h5").string());
  // Planned from epoch 1's speed and re-planned by each later epoch's; the
  // re-plans keep the cosine's progress, so near the deadline the "constant"
  // steps move up to the steps done (they are behind the fit by then).
  CHECK(k.total_steps > 27);
  CHECK(k.constant_steps <= k.total_steps);
  // The rate fell along the plan (timing noise on this tiny fit may end it early).
  CHECK(k.metric_rows.back()[1] < 0.5 * c.train.adam.lr);
  fs::remove_all(work);
}

TEST_CASE("background sampling adds samples beyond the margin", "[pipeline]") {
  const fs::path work = fresh_dir("fit_background");
  const std::string subject = make_subject(work);
  pipeline::FitConfig c = small_fit(subject, work / "fit");
  c.mask_margin = 1;
  const std::size_t near = pipeline::SubjectFit(c).plan().samples;
  c.background = 0.5;
  const std::size_t more = pipeline::SubjectFit(c).plan().samples;
  c.mask_margin = -1;
  const std::size_t all = pipeline::SubjectFit(c).plan().samples;
  CHECK(near < more);
  CHECK(more < all);
  CHECK(double(more - near) == Approx(0.5 * double(all - near)).epsilon(0.05));
  fs::remove_all(work);
}

TEST_CASE("bad input is refused before anything is written, naming the option", "[pipeline][errors]") {
  const fs::path work = fresh_dir("fit_bad");
  const std::string subject = make_subject(work);
  const fs::path out = work / "out";
  auto refused = [&](pipeline::FitConfig c, const std::string& start) {
    c.out = out.string();
    CHECK_THROWS_WITH(pipeline::SubjectFit(c), Catch::StartsWith(start));
    CHECK_THROWS_AS(pipeline::SubjectFit(c), pipeline::InputError);
    CHECK_FALSE(fs::exists(out));
  };
  pipeline::FitConfig c = small_fit(subject, out);
  c.train.epochs = 0;
  refused(c, "--epochs");
  c = small_fit(subject, out);
  c.train.batch_size = 0;
  refused(c, "--batch-size");
  c = small_fit(subject, out);
  c.field.mlp.hidden = 0;
  refused(c, "--hidden");
  c = small_fit(subject, out);
  c.train.adam.lr = -1;
  refused(c, "--lr");
  c = small_fit(subject, out);
  c.field.encoding.kind = "nope";
  refused(c, "unknown --encoding");
  c = small_fit(subject, out);
  c.contrasts = "a,zz";
  refused(c, (fs::path(subject) / "s_zz_LR.nii.gz").string());
  fs::remove_all(work);
}
