// cohort/: what can be checked without a cluster: subject discovery, array
// ranges, the batch script, the [slurm] settings, the statistics of
// cohort.md, typed task states, child processes. The cluster itself:
// tests/slurm/.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "mcinr/cohort/collect.hpp"
#include "mcinr/cohort/process.hpp"
#include "mcinr/cohort/run_folder.hpp"
#include "mcinr/cohort/slurm.hpp"
#include "mcinr/cohort/task_state.hpp"
#include "mcinr/pipeline/errors.hpp"

namespace fs = std::filesystem;
using namespace mcinr;
using pipeline::InputError;

namespace {
fs::path fresh_dir(const char* name) {
  const fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}
}  // namespace

TEST_CASE("array ranges compress sorted indices", "[cohort]") {
  CHECK(cohort::slurm::array_ranges({1, 2, 3, 5, 7, 8}) == "1-3,5,7-8");
  CHECK(cohort::slurm::array_ranges({9, 2, 1, 2}) == "1-2,9");
  CHECK(cohort::slurm::array_ranges({4}) == "4");
  CHECK(cohort::slurm::array_ranges({}).empty());
}

TEST_CASE("shell quoting survives quotes and spaces", "[cohort]") {
  CHECK(cohort::shell_quoted("/a b/c") == "'/a b/c'");
  CHECK(cohort::shell_quoted("it's") == "'it'\\''s'");
  CHECK(cohort::shell_word("--array=1-3,5%2") == "--array=1-3,5%2");
  CHECK(cohort::shell_word("/a b/c") == "'/a b/c'");
  CHECK(cohort::shell_word("$HOME") == "'$HOME'");
  CHECK(cohort::shell_word("") == "''");
}

TEST_CASE("subject folders are found below the root, in order, with their files", "[cohort]") {
  const fs::path root = fresh_dir("mcinr_cohort_find");
  touch(root / "site1" / "s2" / "s2_t1c_LR.nii.gz");
  touch(root / "site1" / "s2" / "s2_t2f_LR.nii.gz");
  touch(root / "site0" / "s9" / "s9_t1c_LR.nii.gz");  // no t2f
  touch(root / "site0" / "s9" / "s9_t1c.nii.gz");
  touch(root / "notes" / "readme.txt");
  std::vector<std::string> warnings;
  const auto subjects = cohort::find_subjects(root.string(), "t1c", "t2f", "/runs/x/fits", warnings);
  REQUIRE(subjects.size() == 2);
  CHECK(subjects[0].index == 1);
  CHECK(subjects[0].id == "s9");
  CHECK(subjects[0].folder == (root / "site0" / "s9").string());
  CHECK(subjects[0].image2 == (root / "site0" / "s9" / "s9_t2f_LR.nii.gz").string());
  CHECK(subjects[0].out == "/runs/x/fits/s9");
  CHECK(subjects[1].index == 2);
  CHECK(subjects[1].id == "s2");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("subject s9 has no t2f scan") == 0);

  touch(root / "site2" / "s2" / "s2_t1c_LR.nii.gz");  // same id, other folder
  CHECK_THROWS_WITH(cohort::find_subjects(root.string(), "t1c", "t2f", "/f", warnings),
                    Catch::StartsWith("two subject folders with the id s2"));
  fs::remove_all(root / "site2");
  touch(root / "site1" / "s2" / "s3_t1c_LR.nii.gz");  // two subjects in one folder
  CHECK_THROWS_WITH(cohort::find_subjects(root.string(), "t1c", "t2f", "/f", warnings),
                    Catch::Contains("holds more than one subject"));
  CHECK_THROWS_WITH(cohort::find_subjects(root.string(), "flair", "t2f", "/f", warnings),
                    Catch::Contains("no subject folders (no file named <id>_flair_LR.nii.gz below it)"));
  CHECK_THROWS_AS(cohort::find_subjects((root / "absent").string(), "t1c", "t2f", "/f", warnings), InputError);
  fs::remove_all(root);
}

TEST_CASE("mean and sample standard deviation skip missing values", "[cohort]") {
  const auto m = cohort::mean_std({2.0, 4.0, NAN, 9.0});
  CHECK(m.n == 3);
  CHECK(m.mean == Approx(5.0));
  CHECK(m.std == Approx(std::sqrt(13.0)));  // ((9 + 1 + 16) / 2)
  CHECK(cohort::mean_std({7.0}).std == 0.0);
  CHECK(cohort::mean_std({}).n == 0);
}

TEST_CASE("the [slurm] section sets the batch script, fit keys are left alone", "[cohort]") {
  const fs::path dir = fresh_dir("mcinr_cohort_slurm");
  const fs::path ini = dir / "fit.ini";
  std::ofstream(ini) << "epochs = 3\nhidden = 64\n[slurm]\npartition = a100\ntime = 1:00:00\nmem = 16G\n"
                        "cpus-per-task = 8\ngpus-per-task = 1\naccount = proj7\nmax-parallel = 20\n"
                        "module = cuda/12.4\nmodule = gcc/12\nenv = OMP_PROC_BIND=close\n"
                        "sbatch = --exclusive\nsignal-seconds = 300\nmcinr = /opt/mcinr/bin/mcinr\n"
                        "job-name = brats-sr\n";
  const cohort::slurm::BatchSettings s = cohort::slurm::read_batch_settings(ini.string());
  CHECK(s.partition == "a100");
  CHECK(s.cpus_per_task == 8);
  CHECK(s.max_parallel == 20);
  CHECK(s.job_name == "brats-sr");
  CHECK(s.modules == std::vector<std::string>{"cuda/12.4", "gcc/12"});
  const std::string script = cohort::slurm::batch_script(s, "/runs/x", "mcinr-x", "/home/me");
  for (const char* line :
       {"#!/bin/bash\n", "\n#SBATCH --job-name=\"mcinr-x\"\n", "\n#SBATCH --output=\"/runs/x/logs/task-%a.log\"\n",
        "\n#SBATCH --requeue\n", "\n#SBATCH --chdir=\"/home/me\"\n", "\n#SBATCH --signal=B:USR1@300\n",
        "\n#SBATCH --partition=a100\n", "\n#SBATCH --account=proj7\n", "\n#SBATCH --time=1:00:00\n",
        "\n#SBATCH --mem=16G\n", "\n#SBATCH --cpus-per-task=8\n", "\n#SBATCH --gpus-per-task=1\n",
        "\n#SBATCH --exclusive\n", "\nmodule load cuda/12.4\nmodule load gcc/12\n", "\nexport OMP_PROC_BIND=close\n",
        "\nexec '/opt/mcinr/bin/mcinr' cohort task '/runs/x' \"$SLURM_ARRAY_TASK_ID\"\n"})
    CHECK(script.find(line) != std::string::npos);
  // Every #SBATCH line comes before the first command: sbatch stops reading them there.
  CHECK(script.rfind("#SBATCH") < script.find("\nmodule load"));
  CHECK(script.find("--qos") == std::string::npos);  // unset: the cluster's default

  // Paths with spaces are quoted; a line break or a double quote never
  // reaches the script (plan refuses such a run folder first).
  const std::string spaced = cohort::slurm::batch_script(s, "/runs/my run", "mcinr-my run", "/home/me/a b");
  for (const char* line : {"\n#SBATCH --job-name=\"mcinr-my run\"\n", "\n#SBATCH --output=\"/runs/my run/logs/task-%a.log\"\n",
                           "\n#SBATCH --chdir=\"/home/me/a b\"\n", " cohort task '/runs/my run' "})
    CHECK(spaced.find(line) != std::string::npos);
  CHECK_THROWS_AS(cohort::slurm::batch_script(s, "/runs/x\nrm -rf /", "mcinr-x", "/home/me"), std::logic_error);
  cohort::PlanRequest broken;
  broken.root = dir.string();
  broken.contrasts = "a,b";
  broken.out = (dir / "run\necho hi").string();
  CHECK_THROWS_WITH(cohort::plan_cohort(broken), Catch::Contains("holds a double quote or a control character"));
  CHECK_FALSE(fs::exists(broken.out));

  std::ofstream(ini) << "[slurm]\ngpu-per-task = 1\n";
  CHECK_THROWS_WITH(cohort::slurm::read_batch_settings(ini.string()),
                    Catch::EndsWith("unrecognised option 'slurm.gpu-per-task' in [slurm]"));
  std::ofstream(ini) << "[slurm]\nenv = NOEQUALS\n";
  CHECK_THROWS_WITH(cohort::slurm::read_batch_settings(ini.string()),
                    Catch::EndsWith("env 'NOEQUALS' is not NAME=VALUE"));
  std::ofstream(ini) << "[slurm]\ncpus-per-task = many\n";
  CHECK_THROWS_AS(cohort::slurm::read_batch_settings(ini.string()), InputError);
  fs::remove_all(dir);
}

TEST_CASE("child processes: output, status, a missing program", "[cohort]") {
  const auto ok = cohort::run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(ok.status == 3);
  CHECK(ok.out == "out\n");
  CHECK(ok.err == "err\n");
  const auto missing = cohort::run_command({"mcinr-no-such-program"});
  CHECK(missing.status == 127);
}

TEST_CASE("task states are typed and round-trip through their file", "[cohort]") {
  const fs::path dir = fresh_dir("mcinr_cohort_state");
  cohort::TaskRecord r;
  r.state = cohort::TaskState::done;
  r.subject = "s1";
  r.index = 4;
  r.attempts = 2;
  r.seconds = 12.5;
  r.resumed_at = "epoch 3 batch 10";
  r.epochs = 20;
  r.stop_reason = "mi";
  r.metrics.mi_pred = 0.25;
  r.metrics.psnr = {30.5, 31.5};
  r.baselines["linear"].psnr = {29, 28};
  const std::string path = (dir / "s1.txt").string();
  cohort::write_task_record(path, r);
  const cohort::TaskRecord back = cohort::read_task_record(path);
  CHECK(back.state == cohort::TaskState::done);
  CHECK(back.attempts == 2);
  CHECK(back.seconds == 12.5);
  CHECK(back.resumed_at == "epoch 3 batch 10");
  CHECK(back.metrics.psnr[1] == 31.5);
  CHECK(back.baselines.at("linear").psnr[0] == 29);
  CHECK(cohort::read_task_record((dir / "absent.txt").string()).state == cohort::TaskState::none);
  std::ofstream(dir / "odd.txt") << "state = exploded\n";
  CHECK(cohort::read_task_record((dir / "odd.txt").string()).state == cohort::TaskState::unreadable);
  std::ofstream(dir / "broken.txt") << "no equals sign\n";
  const auto broken = cohort::read_task_record((dir / "broken.txt").string());
  CHECK(broken.state == cohort::TaskState::unreadable);
  CHECK(broken.error.find("expected key = value") != std::string::npos);
  fs::remove_all(dir);
}
