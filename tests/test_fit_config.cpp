// The fit's options: one table for the command line, config files and the
// checkpoint; every check names its option; config files refuse what is not
// a fit option and skip the cohort's [slurm] section.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "mcinr/pipeline/errors.hpp"
#include "mcinr/pipeline/fit_config.hpp"

namespace fs = std::filesystem;
using namespace mcinr::pipeline;

namespace {

FitConfig valid() {
  FitConfig c;
  c.image = {"a.nii.gz", "b.nii.gz"};
  c.spacing = 2;
  c.out = "out";
  return c;
}

std::string set_and_validate(const std::string& option, const std::string& value) {
  FitConfig c = valid();
  try {
    find_fit_option(option)->set(c, value);
    c.validate();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("the defaults are the reference's", "[fit-config]") {
  const FitConfig c;
  CHECK(c.field.mlp.hidden == 1024);
  CHECK(c.field.mlp.layers == 4);
  CHECK(c.field.encoding.fourier_features == 256);
  CHECK(c.field.encoding.fourier_scale == 4.0);
  CHECK(c.train.batch_size == 1000);
  CHECK(c.train.adam.lr == 4e-4);
  CHECK(c.train.epochs == 50);
  CHECK(c.train.seed == 12);
  CHECK(c.mask_margin < 0);
  CHECK(find_fit_option("lr")->get(c) == "0.0004");  // not 0.00040000000000000002
  CHECK_NOTHROW(valid().validate());
}

TEST_CASE("every bad value is refused naming its option", "[fit-config]") {
  const std::pair<const char*, const char*> cases[] = {{"epochs", "0"},
                                                       {"epochs", "-3"},
                                                       {"batch-size", "0"},
                                                       {"batch-size", "-1"},
                                                       {"hidden", "0"},
                                                       {"layers", "-1"},
                                                       {"head-hidden", "-2"},
                                                       {"lr", "-1"},
                                                       {"lr", "0"},
                                                       {"lr", "nan"},
                                                       {"fourier-features", "0"},
                                                       {"fourier-scale", "0"},
                                                       {"eval-every", "0"},
                                                       {"checkpoint-every", "0"},
                                                       {"spacing", "-1"},
                                                       {"spacing", "inf"},
                                                       {"mask-margin", "1e9"},
                                                       {"encoding-lr", "-1"},
                                                       {"epochs", "ten"},
                                                       {"seed", "-1"},
                                                       {"hidden", "100000"},
                                                       {"batch-size", "1e9"},
                                                       {"epochs", "2x"},
                                                       {"model", "single"},
                                                       {"model", "mlp"},
                                                       {"encoding", "nope"},
                                                       {"early-stopping", "maybe"}};
  for (const auto& [option, value] : cases) {
    INFO("--" << option << " " << value);
    const std::string error = set_and_validate(option, value);
    CHECK_FALSE(error.empty());
    if (std::string(option) != "encoding" && std::string(option) != "model" && std::string(option) != "early-stopping")
      CHECK(error.find("--" + std::string(option)) != std::string::npos);
  }
  CHECK(set_and_validate("epochs", "7").empty());
  CHECK(set_and_validate("lr", "1e-3").empty());
  CHECK(set_and_validate("early-stopping", "false").empty());
}

TEST_CASE("inputs and the output grid are checked together", "[fit-config]") {
  FitConfig c = valid();
  c.out.clear();
  CHECK_THROWS_WITH(c.validate(), "the option '--out' is required");
  c = valid();
  c.image[1].clear();
  CHECK_THROWS_WITH(c.validate(), Catch::StartsWith("give --image1 and --image2"));
  c = valid();
  c.gt[0] = "gt.nii.gz";
  CHECK_THROWS_WITH(c.validate(), "give both --gt1 and --gt2, or neither");
  c = valid();
  c.spacing = 0;
  CHECK_THROWS_WITH(c.resolved(), "give an output grid: --reference IMG or --spacing MM");
  c = valid();
  c.early_stopping = true;
  c.eval_every = 2;
  CHECK_THROWS_WITH(c.validate(), "--early-stopping needs --eval-every 1");
  c = valid();
  c.contrasts = "t1";
  CHECK_THROWS_WITH(c.validate(), "--contrasts needs --subject");
  c.subject = "dir";
  CHECK_THROWS_WITH(c.validate(), "--contrasts needs two names: c1,c2");
  c = valid();
  c.field.mlp.head_hidden = 0;
  CHECK(c.resolved().field.mlp.head_hidden == 512);
}

TEST_CASE("config files: fit options, flags, a skipped [slurm] section, errors with line numbers", "[fit-config]") {
  const fs::path ini = write_file("mcinr_fit_config.ini",
                                  "# a fit\nepochs = 7\nlr = 1e-3 # inline comment\nearly-stopping = true\n"
                                  "resume = no\n[slurm]\npartition = gpu\n");
  FitConfig c;
  apply_config_file(ini.string(), c);
  CHECK(c.train.epochs == 7);
  CHECK(c.train.adam.lr == 1e-3);
  CHECK(c.early_stopping);
  CHECK_FALSE(c.resume);
  FitConfig d;
  apply_config_file(ini.string(), d, {"epochs"});  // the command line gives --epochs: it wins
  CHECK(d.train.epochs == 50);
  CHECK_FALSE(config_file_gives_grid(ini.string()));

  auto refused = [](const std::string& text, const std::string& message) {
    const fs::path bad = write_file("mcinr_fit_config_bad.ini", text);
    FitConfig c;
    CHECK_THROWS_WITH(apply_config_file(bad.string(), c), Catch::Contains(message));
  };
  refused("epochs = 3\nhiden = 5\n", "line 2: unrecognised option 'hiden'");
  refused("epochs = 3\nepochs = 4\n", "line 2: 'epochs' given twice");
  refused("[other]\nepochs = 3\n", "unrecognised option 'other.epochs'");
  refused("epochs = three\n", "line 1: --epochs: 'three' is not an integer");
  refused("just words\n", "line 1: expected key = value");
  refused("config = other.ini\n", "unrecognised option 'config'");
  FitConfig e;
  CHECK_THROWS_WITH(apply_config_file(fs::temp_directory_path().string(), e), Catch::Contains("not a readable file"));
  CHECK(config_file_gives_grid(write_file("mcinr_grid.ini", "spacing = 1.5\n").string()));
}

TEST_CASE("the checkpoint's settings come from the options", "[fit-config]") {
  FitConfig c = valid();
  c.field.mlp.hidden = 256;
  c.train.batch_size = 500;
  const auto s = c.settings();
  CHECK(s.at("hidden") == 256);
  CHECK(s.at("batch_size") == 500);
  CHECK(s.at("fourier_scale") == 4.0);
  CHECK(s.count("skip_other_heads") == 1);
  // Added settings appear only where they change the fit (older checkpoints
  // still resume): a rigid registration moves scan 2, automatic masks choose
  // the samples only with a margin and no mask files.
  CHECK(s.count("register_rigid") == 0);
  CHECK(s.count("mask_auto") == 0);
  c.register_scans = "rigid";
  c.mask_margin = 3;
  const auto t = c.settings();
  CHECK(t.at("register_rigid") == 1);
  CHECK(t.at("mask_auto") == 1);
  c.mask = {"m1.nii.gz", "m2.nii.gz"};
  CHECK(c.settings().count("mask_auto") == 0);
}

TEST_CASE("presets set values, options given beside a preset win, wherever they come from", "[fit-config]") {
  FitConfig c;
  apply_fit_options(c, {{"preset", "fast-cpu"}, {"hidden", "96"}}, "");
  CHECK(c.preset == "fast-cpu");
  CHECK(c.field.mlp.hidden == 96);                   // given: wins
  CHECK(c.time_budget > 0);                          // the preset's
  CHECK(c.residual_correction);
  CHECK(c.clamp);
  CHECK(c.field.encoding.fourier_scale == 3.0);
  CHECK(!c.train.fast_encoding);  // measured: more epochs, MI over the target (quality.md)
  FitConfig f;
  apply_fit_options(f, {{"preset", "fast-cpu"}, {"fast-encoding", "true"}}, "");
  CHECK(f.train.fast_encoding);
  CHECK(f.settings().at("fast_encoding") == 1);  // a checkpoint remembers it
  FitConfig w;
  apply_fit_options(w, {{"preset", "fast-cpu"}}, "");
  CHECK(w.field.mlp.hidden == 384);  // measured against 256 x 4 on three pairs (quality.md)
  CHECK(w.field.mlp.head_hidden == 192);
  const fs::path ini = write_file("mcinr_preset.ini", "preset = reference\nlayers = 2\n");
  FitConfig d;
  apply_fit_options(d, {{"epochs", "3"}}, ini.string());
  CHECK(d.preset == "reference");
  CHECK(d.field.mlp.layers == 2);   // the file beats its preset
  CHECK(d.train.epochs == 3);       // the command line beats the file
  CHECK(d.field.mlp.hidden == 1024);
  CHECK(!d.train.fast_encoding);  // the reference's arithmetic
  CHECK(d.settings().count("fast_encoding") == 0);
  FitConfig e;
  CHECK_THROWS_WITH(apply_preset("turbo", e), Catch::StartsWith("unknown --preset 'turbo'"));
  for (const auto& [name, values] : presets())
    for (const auto& [option, value] : values) {
      INFO(name << ": " << option);
      CHECK(find_fit_option(option) != nullptr);
    }
  CHECK(parse_duration("10m", "--time-budget") == 600);
  CHECK(parse_duration("1.5h", "--time-budget") == 5400);
  CHECK(parse_duration("90", "--time-budget") == 90);
  CHECK_THROWS_WITH(parse_duration("ten", "--time-budget"), Catch::StartsWith("--time-budget: 'ten'"));
  CHECK_THROWS(parse_duration("5d", "--time-budget"));
}
