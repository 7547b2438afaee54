// pipeline::SubjectFit end to end on a small generated subject: the library
// call the commands make, its observer, checks before writes, and resume
// bit for bit through the checkpoint, with the built-in Fourier encoding and
// with a trainable encoding registered from outside (the seam carries its
// state: parameters and Adam moments).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "learned_scale_encoding.hpp"
#include "mcinr/core/phantom.hpp"
#include "mcinr/io/checkpoint.hpp"
#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/prepare.hpp"
#include "mcinr/pipeline/subject_fit.hpp"

namespace fs = std::filesystem;
using namespace mcinr;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mcinr_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

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

struct Recorder : pipeline::FitObserver {
  int planned_calls = 0, epochs = 0, baselines = 0, resumes = 0;
  std::size_t batches = 0;
  void planned(const pipeline::FitPlan&) override { ++planned_calls; }
  void baseline(const std::string&, const pipeline::Scores&) override { ++baselines; }
  void resumed(const pipeline::ResumePoint&) override { ++resumes; }
  void training(const BatchProgress&, double) override { ++batches; }
  void epoch_done(const pipeline::EpochReport&) override { ++epochs; }
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
  const bool bitwise = base.field.encoding.kind != "hashgrid" || ExecSpace().concurrency() == 1;
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
  CHECK_FALSE(fs::exists(fs::path(split.out) / "contrast1.nii.gz"));
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
    for (const char* file : {"contrast1.nii.gz", "contrast2.nii.gz"})
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
