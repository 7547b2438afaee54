#include "mcinr/io/checkpoint.hpp"

#include "mcinr/io/atomic_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace mcinr::io {

namespace {

constexpr int format_version = 2;  // 1: the Fourier matrix at /field/fourier_matrix

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Owns one HDF5 handle.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id < 0) throw Failure(what);
  }
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void check(herr_t status, const std::string& what) {
  if (status < 0) throw Failure(what);
}

template <class T> hid_t native();
template <> hid_t native<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t native<std::uint64_t>() { return H5T_NATIVE_UINT64; }

template <class T>
void write_array(hid_t file, const std::string& name, const std::vector<T>& data, std::vector<hsize_t> dims = {}) {
  if (dims.empty()) dims = {hsize_t(data.size())};
  Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose, "dataspace " + name);
  Handle plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "property list");
  check(H5Pset_create_intermediate_group(plist, 1), "intermediate groups");
  Handle set(H5Dcreate2(file, name.c_str(), native<T>(), space, plist, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
             "create " + name);
  if (!data.empty()) check(H5Dwrite(set, native<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "write " + name);
}

void require_within_file(hid_t file, const std::string& name, double bytes) {
  hsize_t file_bytes = 0;
  check(H5Fget_filesize(file, &file_bytes), "size of the file");
  if (bytes > double(file_bytes)) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "%s declares %.3g GB, more than the %llu-byte file holds (reading it would need that much)",
                  name.c_str(), bytes / 1e9, static_cast<unsigned long long>(file_bytes));
    throw Failure(text);
  }
}

template <class T>
std::vector<T> read_array(hid_t file, const std::string& name, std::vector<hsize_t>* dims_out = nullptr) {
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) throw Failure("missing " + name);
  Handle set(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + name);
  Handle space(H5Dget_space(set), H5Sclose, "dataspace " + name);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1 || rank > 4) throw Failure("bad rank of " + name);
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  // Sizes from the file are checked before allocating: checkpoints are
  // written uncompressed, so a dataset can hold no more than the file.
  double count_real = 1;
  for (auto d : dims) count_real *= double(d);
  Handle type(H5Dget_type(set), H5Tclose, "type of " + name);
  require_within_file(file, name, count_real * double(std::max<std::size_t>(H5Tget_size(type), sizeof(T))));
  hsize_t count = 1;
  for (auto d : dims) count *= d;
  std::vector<T> data(count);
  if (count > 0) check(H5Dread(set, native<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "read " + name);
  if (dims_out) *dims_out = dims;
  return data;
}

void write_string(hid_t file, const std::string& name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type, value.empty() ? 1 : value.size()), "string size");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Handle plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "property list");
  check(H5Pset_create_intermediate_group(plist, 1), "intermediate groups");
  Handle set(H5Dcreate2(file, name.c_str(), type, space, plist, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, "create " + name);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  check(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, padded.data()), "write " + name);
}

std::string read_string(hid_t file, const std::string& name) {
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) throw Failure("missing " + name);
  Handle set(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + name);
  Handle type(H5Dget_type(set), H5Tclose, "type of " + name);
  if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) != 0)
    throw Failure(name + " is not a fixed-length string");
  const std::size_t size = H5Tget_size(type);
  if (size == 0) throw Failure(name + " has a string type of size 0");  // HDF5 divides by it (SIGFPE)
  require_within_file(file, name, double(size));
  std::string value(size, '\0');
  check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()), "read " + name);
  return value.substr(0, value.find('\0'));
}

// A count stored as a double (epochs, grid sizes): refused unless a whole
// number in 0..max, before any conversion (a NaN or 1e308 cast to an
// integer is undefined behaviour).
std::uint64_t whole_number(double value, double max, const std::string& name) {
  if (!(value >= 0 && value <= max && value == std::floor(value)))
    throw Failure(name + " is not a whole number between 0 and " + std::to_string(std::uint64_t(max)));
  return std::uint64_t(value);
}

double read_scalar(hid_t file, const std::string& name) {
  const auto v = read_array<double>(file, name);
  if (v.size() != 1) throw Failure(name + " is not a scalar");
  return v[0];
}

// Strings as one newline-separated dataset.
std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) return false;
  return true;
}

void write_named(hid_t file, const std::string& group, const std::map<std::string, double>& values) {
  std::vector<std::string> names;
  std::vector<double> numbers;
  for (const auto& [name, value] : values) {
    names.push_back(name);
    numbers.push_back(value);
  }
  write_string(file, group + "_names", join(names));
  write_array<double>(file, group + "_values", numbers);
}

std::map<std::string, double> read_named(hid_t file, const std::string& group) {
  const auto names = split(read_string(file, group + "_names"));
  const auto values = read_array<double>(file, group + "_values");
  if (names.size() != values.size()) throw Failure(group + ": values do not match their names");
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = values[i];
  return out;
}

void write_encoding(hid_t file, const EncodingRecord& e) {
  write_string(file, "/field/encoding/kind", e.kind);
  write_named(file, "/field/encoding/attribute", e.attributes);
  std::vector<std::string> names;
  for (const auto& [name, array] : e.arrays) {
    if (!plain_name(name)) throw Failure("encoding array name '" + name + "'");
    std::size_t count = 1;
    std::vector<hsize_t> dims;
    for (auto d : array.shape) {
      count *= d;
      dims.push_back(hsize_t(d));
    }
    if (dims.empty() || count != array.values.size()) throw Failure("shape of encoding array " + name);
    write_array<double>(file, "/field/encoding/arrays/" + name, array.values, dims);
    names.push_back(name);
  }
  write_string(file, "/field/encoding/array_names", join(names));
  write_array<float>(file, "/field/encoding/parameters", e.parameters);
  write_array<float>(file, "/state/encoding_adam_m", e.adam_m);
  write_array<float>(file, "/state/encoding_adam_v", e.adam_v);
  write_array<std::uint64_t>(file, "/state/encoding_adam_steps", {e.adam_steps});
}

EncodingRecord read_encoding(hid_t file) {
  EncodingRecord e;
  e.kind = read_string(file, "/field/encoding/kind");
  if (e.kind.empty() || e.kind.size() > 64 ||
      e.kind.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-") !=
          std::string::npos)
    throw Failure("encoding kind");
  e.attributes = read_named(file, "/field/encoding/attribute");
  for (const auto& name : split(read_string(file, "/field/encoding/array_names"))) {
    if (!plain_name(name)) throw Failure("encoding array name");
    std::vector<hsize_t> dims;
    EncodingRecord::Array array;
    array.values = read_array<double>(file, "/field/encoding/arrays/" + name, &dims);
    for (auto d : dims) array.shape.push_back(std::size_t(d));
    e.arrays[name] = std::move(array);
  }
  e.parameters = read_array<float>(file, "/field/encoding/parameters");
  e.adam_m = read_array<float>(file, "/state/encoding_adam_m");
  e.adam_v = read_array<float>(file, "/state/encoding_adam_v");
  e.adam_steps = read_array<std::uint64_t>(file, "/state/encoding_adam_steps").at(0);
  if (e.adam_m.size() != e.parameters.size() || e.adam_v.size() != e.parameters.size())
    throw Failure("the encoding's Adam moments do not match its parameters");
  return e;
}

// Format 1 held only a Fourier matrix (F x 3); its scale was a setting.
EncodingRecord read_fourier_v1(hid_t file, const std::map<std::string, double>& settings) {
  std::vector<hsize_t> dims;
  EncodingRecord e;
  e.kind = "fourier";
  EncodingRecord::Array matrix;
  matrix.values = read_array<double>(file, "/field/fourier_matrix", &dims);
  if (dims.size() != 2 || dims[1] != 3) throw Failure("bad Fourier matrix");
  matrix.shape = {std::size_t(dims[0]), 3};
  e.arrays["matrix"] = std::move(matrix);
  e.attributes["features"] = double(dims[0]);
  const auto scale = settings.find("fourier_scale");
  e.attributes["scale"] = scale == settings.end() ? 0.0 : scale->second;
  return e;
}

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& c) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  AtomicFile target(path, ".h5");
  try {
    {
      Handle file(H5Fcreate(target.temporary_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                  "create the file");
      write_array<double>(file, "/format_version", {double(format_version)});
      write_string(file, "/config/model", c.model);
      write_named(file, "/config/setting", c.settings);
      write_string(file, "/config/inputs", join({c.inputs[0], c.inputs[1]}));
      write_array<std::uint64_t>(file, "/config/input_hashes", {c.input_hashes[0], c.input_hashes[1]});
      write_array<std::uint64_t>(file, "/state/seed", {c.seed});
      write_array<double>(file, "/state/epochs_done", {double(c.epochs_done)});
      write_array<std::uint64_t>(file, "/state/next_batch", {c.next_batch});
      write_array<double>(file, "/state/epoch_loss_sum", {c.epoch_loss_sum});
      write_array<std::uint64_t>(file, "/state/adam_steps", {c.adam_steps});
      write_array<float>(file, "/state/parameters", c.parameters);
      write_array<float>(file, "/state/adam_m", c.adam_m);
      write_array<float>(file, "/state/adam_v", c.adam_v);
      write_encoding(file, c.encoding);
      write_array<std::uint64_t>(file, "/state/step_plan", {c.total_steps, c.constant_steps});
      write_array<double>(file, "/field/domain", {c.domain_lo, c.domain_hi});
      write_array<std::uint64_t>(file, "/field/domain_axes", {c.domain_ras ? 1u : 0u});
      write_array<float>(file, "/field/intensity_range",
                         {c.intensity_lo[0], c.intensity_hi[0], c.intensity_lo[1], c.intensity_hi[1]});
      write_array<double>(file, "/grid/size", {double(c.grid.size[0]), double(c.grid.size[1]), double(c.grid.size[2])});
      write_array<double>(file, "/grid/spacing", {c.grid.spacing.begin(), c.grid.spacing.end()});
      write_array<double>(file, "/grid/origin", {c.grid.origin.begin(), c.grid.origin.end()});
      write_array<double>(file, "/grid/direction", {c.grid.direction.begin(), c.grid.direction.end()}, {3, 3});
      write_array<double>(file, "/early_stopping/mi_window", c.mi_window);
      write_array<double>(file, "/early_stopping/previous", {c.mi_previous, c.mi_has_previous ? 1.0 : 0.0});
      write_string(file, "/early_stopping/stop_reason", c.stop_reason);
      write_string(file, "/metrics/columns", join(c.metric_columns));
      std::vector<double> rows;
      for (const auto& row : c.metric_rows) rows.insert(rows.end(), row.begin(), row.end());
      write_array<double>(file, "/metrics/rows", rows,
                          {hsize_t(c.metric_rows.size()), hsize_t(c.metric_columns.size())});
      check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush");
    }
  } catch (const Failure& e) {
    throw std::runtime_error(path + ": cannot write the checkpoint (" + e.what() + ")");
  }
  target.commit();
}

Checkpoint read_checkpoint(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such checkpoint");
  try {
    if (H5Fis_hdf5(path.c_str()) <= 0) throw Failure("not an HDF5 file");
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open");
    const double version = read_scalar(file, "/format_version");
    if (version != format_version && version != 1) throw Failure("unknown format version");
    Checkpoint c;
    c.model = read_string(file, "/config/model");
    c.settings = read_named(file, "/config/setting");
    const auto inputs = split(read_string(file, "/config/inputs"));
    if (inputs.size() != 2) throw Failure("inputs");
    c.inputs = {inputs[0], inputs[1]};
    if (H5Lexists(file, "/config", H5P_DEFAULT) > 0 && H5Lexists(file, "/config/input_hashes", H5P_DEFAULT) > 0) {
      const auto hashes = read_array<std::uint64_t>(file, "/config/input_hashes");
      if (hashes.size() != 2) throw Failure("bad input hashes");
      c.input_hashes = {hashes[0], hashes[1]};
    }
    c.seed = read_array<std::uint64_t>(file, "/state/seed").at(0);
    c.epochs_done = int(whole_number(read_scalar(file, "/state/epochs_done"), 1e6, "/state/epochs_done"));
    c.next_batch = read_array<std::uint64_t>(file, "/state/next_batch").at(0);
    c.epoch_loss_sum = read_scalar(file, "/state/epoch_loss_sum");
    c.adam_steps = read_array<std::uint64_t>(file, "/state/adam_steps").at(0);
    c.parameters = read_array<float>(file, "/state/parameters");
    c.adam_m = read_array<float>(file, "/state/adam_m");
    c.adam_v = read_array<float>(file, "/state/adam_v");
    if (c.adam_m.size() != c.parameters.size() || c.adam_v.size() != c.parameters.size())
      throw Failure("Adam moments do not match the parameters");
    c.encoding = version == 1 ? read_fourier_v1(file, c.settings) : read_encoding(file);
    if (version != 1) {
      const auto plan = read_array<std::uint64_t>(file, "/state/step_plan");
      if (plan.size() != 2 || plan[1] > plan[0]) throw Failure("bad step plan");
      c.total_steps = plan[0];
      c.constant_steps = plan[1];
    }
    const auto domain = read_array<double>(file, "/field/domain");
    if (domain.size() != 2 || !(domain[1] > domain[0])) throw Failure("bad domain");
    c.domain_lo = domain[0];
    c.domain_hi = domain[1];
    if (H5Lexists(file, "/field/domain_axes", H5P_DEFAULT) > 0) {  // absent before 2026-11-26: the LPS range
      const auto axes = read_array<std::uint64_t>(file, "/field/domain_axes");
      if (axes.size() != 1 || axes[0] > 1) throw Failure("bad domain axes");
      c.domain_ras = axes[0] == 1;
    }
    const auto range = read_array<float>(file, "/field/intensity_range");
    if (range.size() != 4) throw Failure("bad intensity range");
    c.intensity_lo = {range[0], range[2]};
    c.intensity_hi = {range[1], range[3]};
    const auto size = read_array<double>(file, "/grid/size");
    const auto spacing = read_array<double>(file, "/grid/spacing");
    const auto origin = read_array<double>(file, "/grid/origin");
    const auto direction = read_array<double>(file, "/grid/direction");
    if (size.size() != 3 || spacing.size() != 3 || origin.size() != 3 || direction.size() != 9)
      throw Failure("bad grid");
    for (int d = 0; d < 3; ++d) {
      c.grid.size[d] = std::size_t(whole_number(size[d], 1e7, "/grid/size"));
      c.grid.spacing[d] = spacing[d];
      c.grid.origin[d] = origin[d];
    }
    for (int d = 0; d < 9; ++d) c.grid.direction[d] = direction[d];
    c.mi_window = read_array<double>(file, "/early_stopping/mi_window");
    const auto previous = read_array<double>(file, "/early_stopping/previous");
    if (previous.size() != 2) throw Failure("bad early-stopping state");
    c.mi_previous = previous[0];
    c.mi_has_previous = previous[1] != 0;
    c.stop_reason = read_string(file, "/early_stopping/stop_reason");
    c.metric_columns = split(read_string(file, "/metrics/columns"));
    std::vector<hsize_t> dims;
    const auto rows = read_array<double>(file, "/metrics/rows", &dims);
    if (dims.size() != 2 || dims[1] != c.metric_columns.size()) throw Failure("bad metric table");
    for (hsize_t r = 0; r < dims[0]; ++r)
      c.metric_rows.emplace_back(rows.begin() + r * dims[1], rows.begin() + (r + 1) * dims[1]);
    return c;
  } catch (const Failure& e) {
    throw std::runtime_error(path + ": not a valid mcinr checkpoint (" + e.what() + ")");
  } catch (const std::out_of_range&) {
    throw std::runtime_error(path + ": not a valid mcinr checkpoint (empty state)");
  }
}

}  // namespace mcinr::io
