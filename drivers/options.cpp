#include "drivers/options.hpp"

#include <iostream>

namespace po = boost::program_options;

namespace mcinr::drivers {

void add_training_options(po::options_description& options, FieldConfig& field, TrainConfig& train,
                          std::string& model) {
  options.add_options()
      ("epochs", po::value(&train.epochs)->default_value(train.epochs), "training epochs (cosine schedule over them)")
      ("batch-size", po::value(&train.batch_size)->default_value(train.batch_size), "samples per batch")
      ("lr", po::value(&train.adam.lr)->default_value(train.adam.lr), "Adam learning rate at epoch 1")
      ("hidden", po::value(&field.mlp.hidden)->default_value(field.mlp.hidden), "trunk width")
      ("layers", po::value(&field.mlp.layers)->default_value(field.mlp.layers), "trunk blocks after the input layer")
      ("head-hidden", po::value(&field.mlp.head_hidden)->default_value(field.mlp.head_hidden), "split-head hidden width (0: hidden / 2)")
      ("fourier-features", po::value(&field.fourier_features)->default_value(field.fourier_features),
       "rows of the Fourier matrix B")
      ("fourier-scale", po::value(&field.fourier_scale)->default_value(field.fourier_scale),
       "standard deviation of B's entries")
      ("model", po::value(&model)->default_value(model), "split-head, vanilla or single")
      ("seed", po::value(&train.seed)->default_value(train.seed), "seed of every random draw")
      ("no-head-skipping", po::bool_switch()->notifier([&train](bool off) { train.skip_other_heads = !off; }),
       "evaluate every head on every sample (slower; same gradients)");
}

bool parse_command(const po::options_description& options, const std::vector<std::string>& args,
                   po::variables_map& vm, const po::positional_options_description* positional) {
  try {
    po::command_line_parser parser(args);
    parser.options(options);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help")) {
      std::cout << options << '\n';
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return true;
}

}  // namespace mcinr::drivers
