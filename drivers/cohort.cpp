// `mcinr cohort plan|submit|status|collect|task`: many subjects as one Slurm
// job array (the work is in cohort/).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "mcinr/cohort/collect.hpp"
#include "mcinr/cohort/status.hpp"
#include "mcinr/cohort/task.hpp"
#include "mcinr/drivers/console.hpp"
#include "mcinr/drivers/options.hpp"
#include "mcinr/pipeline/stop_signal.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {
namespace {

// "mcinr cohort <command> RUN [options]": adds --help and the RUN positional,
// parses, and opens the run folder. False for --help.
bool parse_run_command(const std::vector<std::string>& args, po::options_description& options, cohort::Run& run) {
  std::string dir;
  // clang-format off
  options.add_options()("help,h", "show this help")("run", po::value(&dir)->required(), "run folder");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_command(options, args, vm, &positional)) return false;
  run = cohort::open_run(dir);
  return true;
}

int cohort_plan(const std::vector<std::string>& args) {
  cohort::PlanRequest r;
  po::options_description options(
      "mcinr cohort plan: a run folder with a manifest and a Slurm job array script for every subject under --root");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("root", po::value(&r.root)->required(), "folder holding the subject folders (reference naming)")
      ("contrasts", po::value(&r.contrasts)->required(), "the two contrasts, e.g. t1c,t2f")
      ("config", po::value(&r.config), "INI file: mcinr fit options, and a [slurm] section for the batch script")
      ("out", po::value(&r.out)->required(), "run folder to create");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  const cohort::PlanResult result = cohort::plan_cohort(r);
  for (const auto& w : result.warnings) std::cerr << "mcinr: warning: " << w << '\n';
  const auto& subjects = result.run.subjects;
  std::printf("planned %zu subject%s (%s) in %s:\n  manifest.csv, cohort.sbatch%s\n", subjects.size(),
              subjects.size() == 1 ? "" : "s", r.contrasts.c_str(), result.run.dir.c_str(),
              r.config.empty() ? "" : ", fit.ini");
  for (const auto& s : subjects) std::printf("  %4d  %s  %s\n", s.index, s.id.c_str(), s.folder.c_str());
  std::printf("next: mcinr cohort submit %s\n", result.run.dir.c_str());
  return 0;
}

int cohort_submit(const std::vector<std::string>& args) {
  bool dry_run = false;
  po::options_description options(
      "mcinr cohort submit RUN: sbatch the job array for the subjects that are not done and not queued");
  // clang-format off
  options.add_options()("dry-run", po::bool_switch(&dry_run), "print what would be submitted");
  // clang-format on
  cohort::Run run;
  if (!parse_run_command(args, options, run)) return 0;
  const cohort::SubmitResult r = cohort::submit_cohort(run, dry_run);
  const std::size_t n = r.indices.size();
  if (n == 0)
    std::printf("nothing to submit: %d done, %d queued or running, of %zu subjects\n", r.done, r.queued,
                run.subjects.size());
  else if (dry_run)
    std::printf("would submit array tasks %s (%zu subject%s; %d done, %d queued) with\n  %s\n", r.ranges.c_str(), n,
                n == 1 ? "" : "s", r.done, r.queued, r.command.c_str());
  else
    std::printf("submitted job %s: array tasks %s (%zu subject%s; %d done and skipped, %d already queued)\n",
                r.job.c_str(), r.ranges.c_str(), n, n == 1 ? "" : "s", r.done, r.queued);
  return 0;
}

int cohort_status(const std::vector<std::string>& args) {
  po::options_description options("mcinr cohort status RUN: done, running, pending and failed per subject");
  cohort::Run run;
  if (!parse_run_command(args, options, run)) return 0;
  const cohort::CohortView view = cohort::view_cohort(run);
  std::string tally;
  for (auto status :
       {cohort::SubjectStatus::done, cohort::SubjectStatus::running, cohort::SubjectStatus::pending,
        cohort::SubjectStatus::failed, cohort::SubjectStatus::interrupted, cohort::SubjectStatus::not_submitted})
    if (view.count(status))
      tally += (tally.empty() ? " " : ", ") + std::to_string(view.count(status)) + " " + to_string(status);
  std::printf("cohort %s: %zu subject%s:%s\n", run.dir.c_str(), run.subjects.size(),
              run.subjects.size() == 1 ? "" : "s", tally.c_str());
  if (!view.queue_available) std::printf("(Slurm's queue not seen: %s)\n", view.queue_note.c_str());
  std::size_t width = 7;
  for (const auto& s : run.subjects) width = std::max(width, s.id.size());
  std::printf("%5s  %-*s  %-13s  %s\n", "index", int(width), "subject", "status", "detail");
  for (std::size_t i = 0; i < run.subjects.size(); ++i)
    std::printf("%5d  %-*s  %-13s  %s\n", run.subjects[i].index, int(width), run.subjects[i].id.c_str(),
                to_string(view.subjects[i].status).c_str(), view.subjects[i].detail.c_str());
  return 0;
}

int cohort_collect(const std::vector<std::string>& args) {
  po::options_description options(
      "mcinr cohort collect RUN: cohort.csv (a row per subject), cohort.md (mean ± std per contrast) and "
      "report.html (the tables, a thumbnail per subject)");
  cohort::Run run;
  if (!parse_run_command(args, options, run)) return 0;
  const cohort::CollectResult r = cohort::collect_cohort(run);
  std::cout << r.summary << "\nwrote " << r.csv << ", " << r.markdown << " and " << r.html << '\n';
  return 0;
}

int cohort_task(const std::vector<std::string>& args) {
  std::string dir;
  int index = 0;
  po::options_description options(
      "mcinr cohort task RUN INDEX: fit one subject of a cohort (what each array task runs; also by hand)");
  // clang-format off
  options.add_options()("help,h", "show this help")("run", po::value(&dir)->required(), "run folder")
      ("index", po::value(&index)->required(), "the subject's index in manifest.csv");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1).add("index", 1);
  po::variables_map vm;
  if (!parse_command(options, args, vm, &positional)) return 0;
  pipeline::catch_stop_signals();
  ConsoleFitObserver console;
  return cohort::run_task(
      dir, index,
      [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      },
      console);
}

}  // namespace

int run_cohort(const std::vector<std::string>& args) {
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {{"plan", cohort_plan},
                                                                                    {"submit", cohort_submit},
                                                                                    {"status", cohort_status},
                                                                                    {"collect", cohort_collect},
                                                                                    {"task", cohort_task}};
  const std::string usage =
      "usage: mcinr cohort <plan|submit|status|collect|task> ...   (mcinr cohort <command> --help)";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage << "\n"
              << "  plan     find the subject folders under --root; write a manifest and a Slurm job array script\n"
                 "  submit   sbatch the array for every subject not done and not queued\n"
                 "  status   done, running, pending and failed per subject\n"
                 "  collect  cohort.csv (a row per subject), cohort.md (mean ± std per contrast), report.html\n"
                 "  task     fit one subject (what each array task runs)\n";
    return args.empty() ? 2 : 0;
  }
  const auto found = commands.find(args[0]);
  require(found != commands.end(), "unknown cohort command '" + args[0] + "' (" + usage + ")");
  return found->second(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace mcinr::drivers
