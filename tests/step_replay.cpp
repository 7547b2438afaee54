// step_replay: mcinr's side of tests/validation/reference_steps.py, which
// compares mcinr with the reference implementation step by step.
//
//   step_replay steps DIR
//     Reads what the script wrote from the reference (setup.txt: features
//     hidden layers head_hidden lr; fourier.f32: B, F x 3 row-major;
//     params.f32: the reference's initial weights in mcinr's layout;
//     counts.txt: per step "n1 n2", or "n1 n2 lr" where the step has its
//     own learning rate (whole epochs under the cosine schedule);
//     batches.f32: per step the coordinates (x y z per sample) then the
//     values, contrast 1's samples first), runs those steps through mcinr's
//     own Fourier encoding, MLP, loss and Adam, and writes mcinr_losses.txt
//     (one loss per step), mcinr_contrast_losses.txt (per step the two
//     contrasts' mean squared errors), mcinr_output0.f32 (the first
//     forward's outputs, n x 2 row-major), mcinr_grads0.f32 (the first
//     step's gradients) and mcinr_params.f32 (the weights after every step).
//
//   step_replay steps64 DIR
//     The same in double (outputs .f64): the arithmetic itself, to compare
//     with PyTorch's float64 where float32 rounding would blur it.
//
//   step_replay init F SIGMA HIDDEN LAYERS HEAD_HIDDEN SEED DIR
//     mcinr's own initialisation for a seed: DIR/mcinr_init_fourier.f32 (B,
//     F x 3 row-major) and DIR/mcinr_init_params.f32 (the split-head MLP's
//     weights, in its layout), for comparing distributions with PyTorch's.
//
//   step_replay order N SEED EPOCH COUNT OUT
//     The first COUNT sample indices of an epoch's shuffle of N samples, as
//     the trainer draws them (uint64 to OUT), for the batch-composition check.
//
//   step_replay samples SUBJECT_DIR C1 C2 VOXELS OUT
//     mcinr's training samples of a subject folder, for a list of voxels
//     (VOXELS: lines "c i j k", c = 1 or 2): OUT gets "x y z value" per line,
//     in the field's domain, as make_samples makes them for a fit.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mcinr/backends/device_info.hpp"
#include "mcinr/core/adam.hpp"
#include "mcinr/core/fourier_encoding.hpp"
#include "mcinr/core/loss.hpp"
#include "mcinr/core/mlp.hpp"
#include "mcinr/core/random.hpp"
#include "mcinr/pipeline/grids.hpp"
#include "mcinr/pipeline/scans.hpp"
#include "mcinr/pipeline/subject_layout.hpp"

namespace {

std::vector<float> read_floats(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + path);
  const std::streamsize bytes = in.tellg();
  std::vector<float> v(std::size_t(bytes) / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(float)));
  return v;
}

template <class T> void write_binary(const std::string& path, const std::vector<T>& v) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
  if (!out) throw std::runtime_error("cannot write " + path);
}

template <class View> auto to_host(const View& v) {
  using T = typename View::non_const_value_type;
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<T>(h.data(), h.data() + h.size());
}

// The steps in Scalar (float as a fit runs; double to compare the arithmetic
// itself with PyTorch's float64 without float32 rounding in the way).
template <class Scalar> int replay_steps(const std::string& dir) {
  using namespace mcinr;
  std::ifstream setup(dir + "/setup.txt");
  int features = 0;
  MlpConfig mlp_config;
  double lr = 0;
  if (!(setup >> features >> mlp_config.hidden >> mlp_config.layers >> mlp_config.head_hidden >> lr))
    throw std::runtime_error("setup.txt: expected features hidden layers head_hidden lr");
  mlp_config.input_dim = 2 * features;
  std::vector<std::size_t> n1, n2;
  std::vector<double> step_lr;
  std::ifstream counts(dir + "/counts.txt");
  for (std::string line; std::getline(counts, line);) {
    std::istringstream fields(line);
    std::size_t a = 0, b = 0;
    if (!(fields >> a >> b)) continue;
    double rate = lr, own = 0;
    if (fields >> own) rate = own;  // optional third column (a failed read would leave 0)
    n1.push_back(a);
    n2.push_back(b);
    step_lr.push_back(rate);
  }
  const std::vector<float> b_values = read_floats(dir + "/fourier.f32");
  if (b_values.size() != std::size_t(features) * 3) throw std::runtime_error("fourier.f32: expected F x 3 values");
  const std::vector<double> b(b_values.begin(), b_values.end());
  const std::vector<float> batches = read_floats(dir + "/batches.f32");
  std::size_t capacity = 0;
  for (std::size_t s = 0; s < n1.size(); ++s) capacity = std::max(capacity, n1[s] + n2[s]);

  const auto encoding = FourierEncoding<Scalar>::from_matrix(features, b.data());
  Mlp<Scalar> mlp(mlp_config, capacity);
  const std::vector<float> initial = read_floats(dir + "/params.f32");
  if (initial.size() != mlp.parameter_count())
    throw std::runtime_error("params.f32 holds " + std::to_string(initial.size()) + " values, the MLP " +
                             std::to_string(mlp.parameter_count()));
  const std::vector<Scalar> start(initial.begin(), initial.end());
  Kokkos::deep_copy(mlp.parameters(), Kokkos::View<const Scalar*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                                          start.data(), start.size()));
  AdamConfig adam_config;
  adam_config.lr = lr;
  Adam<Scalar> adam(mlp.parameter_count(), adam_config);

  Matrix<Scalar> coords("coords", 3, capacity);
  Vector<Scalar> values("values", capacity);
  Vector<Scalar> encoded("encoded", std::size_t(2 * features) * capacity);
  Vector<Scalar> d_output("d_output", 2 * capacity);
  const std::string ext = sizeof(Scalar) == 4 ? ".f32" : ".f64";
  std::FILE* losses = std::fopen((dir + "/mcinr_losses.txt").c_str(), "w");
  std::FILE* contrast_losses = std::fopen((dir + "/mcinr_contrast_losses.txt").c_str(), "w");
  if (!losses || !contrast_losses) throw std::runtime_error("cannot write mcinr_losses.txt or mcinr_contrast_losses.txt");
  auto hc = Kokkos::create_mirror_view(coords);
  auto hv = Kokkos::create_mirror_view(values);
  std::size_t at = 0;
  for (std::size_t s = 0; s < n1.size(); ++s) {
    const std::size_t n = n1[s] + n2[s];
    if (batches.size() < at + 4 * n) throw std::runtime_error("batches.f32 is shorter than counts.txt says");
    for (std::size_t j = 0; j < n; ++j)
      for (int r = 0; r < 3; ++r) hc(r, j) = batches[at + 3 * j + r];
    for (std::size_t j = 0; j < n; ++j) hv(j) = batches[at + 3 * n + j];
    at += 4 * n;
    Kokkos::deep_copy(coords, hc);
    Kokkos::deep_copy(values, hv);
    const BatchSplit split = BatchSplit::counts({n1[s], n2[s]});
    const MatrixRef<Scalar> enc(encoded.data(), 2 * features, n);
    encoding.encode(columns(coords, 0, n), enc);
    mlp.forward(enc, split, true);
    const MatrixRef<Scalar> d_out(d_output.data(), n, 2);
    const double loss = masked_mse<Scalar>(mlp.output(), Kokkos::subview(values, Kokkos::make_pair(std::size_t(0), n)),
                                          split, d_out);
    mlp.backward(enc, d_out, split, true, MatrixRef<Scalar>());
    if (s == 0) {
      auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mlp.output());
      std::vector<Scalar> rows;
      for (std::size_t j = 0; j < n; ++j)
        for (int c = 0; c < 2; ++c) rows.push_back(out(j, c));
      write_binary(dir + "/mcinr_output0" + ext, rows);
      write_binary(dir + "/mcinr_grads0" + ext, to_host(mlp.gradients()));
    }
    {
      auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mlp.output());
      double sum[2] = {0, 0};
      for (std::size_t j = 0; j < n; ++j) {
        const int c = j < n1[s] ? 0 : 1;
        const double d = double(out(j, c)) - double(hv(j));
        sum[c] += d * d;
      }
      std::fprintf(contrast_losses, "%.9g %.9g\n", sum[0] / double(std::max<std::size_t>(n1[s], 1)),
                   sum[1] / double(std::max<std::size_t>(n2[s], 1)));
    }
    adam.step(mlp.parameters(), mlp.gradients(), step_lr[s]);
    std::fprintf(losses, "%.17g\n", loss);
  }
  std::fclose(losses);
  std::fclose(contrast_losses);
  write_binary(dir + "/mcinr_params" + ext, to_host(mlp.parameters()));
  return 0;
}

int write_initialisation(char* argv[]) {
  using namespace mcinr;
  const int features = std::stoi(argv[2]);
  MlpConfig config;
  config.input_dim = 2 * features;
  config.hidden = std::stoi(argv[4]);
  config.layers = std::stoi(argv[5]);
  config.head_hidden = std::stoi(argv[6]);
  const std::uint64_t seed = std::stoull(argv[7]);
  const std::string dir = argv[8];
  const FourierEncoding<float> encoding(features, std::stod(argv[3]), seed);
  auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), encoding.matrix());
  std::vector<float> rows;
  for (int f = 0; f < features; ++f)
    for (int d = 0; d < 3; ++d) rows.push_back(b(f, d));
  write_binary(dir + "/mcinr_init_fourier.f32", rows);
  Mlp<float> mlp(config, 1);
  mlp.initialize(seed);
  write_binary(dir + "/mcinr_init_params.f32", to_host(mlp.parameters()));
  return 0;
}

int write_order(char* argv[]) {
  const std::uint64_t n = std::stoull(argv[2]);
  const mcinr::random::Permutation perm(n, std::stoull(argv[3]), std::stoull(argv[4]));
  std::vector<std::uint64_t> order(std::min<std::uint64_t>(n, std::stoull(argv[5])));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = perm(i);
  write_binary(argv[6], order);
  return 0;
}

int list_samples(const std::string& subject, const std::string& c1, const std::string& c2, const std::string& voxels,
                 const std::string& out_path) {
  using namespace mcinr;
  using namespace mcinr::pipeline;
  const SubjectFiles files = find_subject(subject, c1, c2);
  const Scan scans[2] = {load_scan(files.image[0], ""), load_scan(files.image[1], "")};
  const FieldDomain domain = fit_domain(scans[0].volume.geometry, scans[1].volume.geometry);
  const SampleSet<float> set = make_samples(scans, domain, -1.0);
  auto coords = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), set.coords);
  auto values = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), set.values);
  std::ifstream in(voxels);
  std::FILE* out = std::fopen(out_path.c_str(), "w");
  if (!out) throw std::runtime_error("cannot write " + out_path);
  std::fprintf(out, "# domain %.17g %.17g\n", domain.lo, domain.hi);
  for (int c; in >> c;) {
    std::size_t i, j, k;
    in >> i >> j >> k;
    const auto& g = scans[c - 1].volume.geometry;
    const std::size_t s = (c == 2 ? set.counts[0] : 0) + i + g.size[0] * (j + g.size[1] * k);
    std::fprintf(out, "%.9g %.9g %.9g %.9g\n", coords(0, s), coords(1, s), coords(2, s), values(s));
  }
  std::fclose(out);
  return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
  mcinr::backends::flush_subnormals();
  Kokkos::ScopeGuard kokkos(argc, argv);
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "steps" && argc == 3) return replay_steps<float>(argv[2]);
    if (mode == "steps64" && argc == 3) return replay_steps<double>(argv[2]);
    if (mode == "order" && argc == 7) return write_order(argv);
    if (mode == "init" && argc == 9) return write_initialisation(argv);
    if (mode == "samples" && argc == 7) return list_samples(argv[2], argv[3], argv[4], argv[5], argv[6]);
    std::fprintf(stderr, "usage: step_replay steps|steps64 DIR | step_replay init F SIGMA HIDDEN LAYERS HEAD_HIDDEN SEED DIR | step_replay order N SEED EPOCH COUNT OUT | step_replay samples SUBJECT_DIR C1 C2 VOXELS OUT\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "step_replay: %s\n", e.what());
    return 1;
  }
}
