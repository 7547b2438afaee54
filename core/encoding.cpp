#include "mcinr/core/encoding.hpp"

#include <cmath>
#include <mutex>
#include <stdexcept>

#include "mcinr/core/composite_encoding.hpp"
#include "mcinr/core/fourier_encoding.hpp"
#include "mcinr/core/hash_grid_encoding.hpp"

namespace mcinr {

void EncodingConfig::validate() const {
  if (!encoding_registered(kind)) {
    std::string known;
    for (const auto& name : registered_encodings()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown --encoding '" + kind + "' (expected " + known + ")");
  }
  if (!(lr >= 0) || !std::isfinite(lr)) throw std::invalid_argument("--encoding-lr must be zero or positive");
  if (kind == "fourier" || kind == "fourier+hashgrid") {
    if (fourier_features <= 0 || fourier_features > 65536)
      throw std::invalid_argument("--fourier-features must be between 1 and 65536");
    if (!(fourier_scale > 0) || !std::isfinite(fourier_scale))
      throw std::invalid_argument("--fourier-scale must be positive");
  }
  if (!(domain_mm >= 0) || !std::isfinite(domain_mm)) throw std::invalid_argument("the field's extent must be positive");
  if (kind == "hashgrid" || kind == "fourier+hashgrid")
    HashGridLayout::make(hash_levels, hash_features, hash_log2_table, hash_coarsest_mm, hash_finest_mm,
                         domain_mm > 0 ? domain_mm : 2.0);
}

double EncodingState::attribute(const std::string& name) const {
  const auto found = attributes.find(name);
  if (found == attributes.end()) throw std::invalid_argument("the " + kind + " encoding has no attribute " + name);
  return found->second;
}

const EncodingState::Array& EncodingState::array(const std::string& name) const {
  const auto found = arrays.find(name);
  if (found == arrays.end()) throw std::invalid_argument("the " + kind + " encoding has no array " + name);
  return found->second;
}

namespace {

std::mutex registry_mutex;

template <class Scalar> std::map<std::string, EncodingKind<Scalar>>& registry() {
  static std::map<std::string, EncodingKind<Scalar>> kinds = {
      {"fourier",
       {[](const EncodingConfig& c, std::uint64_t seed) -> std::unique_ptr<Encoding<Scalar>> {
          return std::make_unique<FourierEncoding<Scalar>>(c.fourier_features, c.fourier_scale, seed);
        },
        [](const EncodingState& s) -> std::unique_ptr<Encoding<Scalar>> {
          return std::make_unique<FourierEncoding<Scalar>>(FourierEncoding<Scalar>::from_state(s));
        }}},
      {"hashgrid",
       {[](const EncodingConfig& c, std::uint64_t seed) -> std::unique_ptr<Encoding<Scalar>> {
          return std::make_unique<HashGridEncoding<Scalar>>(c, seed);
        },
        [](const EncodingState& s) -> std::unique_ptr<Encoding<Scalar>> {
          return std::make_unique<HashGridEncoding<Scalar>>(HashGridEncoding<Scalar>::from_state(s));
        }}},
      {"fourier+hashgrid",
       {[](const EncodingConfig& c, std::uint64_t seed) -> std::unique_ptr<Encoding<Scalar>> {
          return std::make_unique<CompositeEncoding<Scalar>>(
              "fourier+hashgrid",
              std::make_unique<FourierEncoding<Scalar>>(c.fourier_features, c.fourier_scale, seed),
              std::make_unique<HashGridEncoding<Scalar>>(c, seed));
        },
        [](const EncodingState& s) -> std::unique_ptr<Encoding<Scalar>> {
          const auto parts = CompositeEncoding<Scalar>::split(s, "fourier", "hashgrid");
          return std::make_unique<CompositeEncoding<Scalar>>(
              "fourier+hashgrid",
              std::make_unique<FourierEncoding<Scalar>>(FourierEncoding<Scalar>::from_state(parts.first)),
              std::make_unique<HashGridEncoding<Scalar>>(HashGridEncoding<Scalar>::from_state(parts.second)));
        }}}};
  return kinds;
}

template <class Scalar> const EncodingKind<Scalar>& find_kind(const std::string& kind) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  const auto& kinds = registry<Scalar>();
  const auto found = kinds.find(kind);
  if (found == kinds.end()) throw std::invalid_argument("unknown encoding '" + kind + "'");
  return found->second;
}

}  // namespace

template <class Scalar> void register_encoding(const std::string& kind, EncodingKind<Scalar> functions) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry<Scalar>()[kind] = std::move(functions);
}

bool encoding_registered(const std::string& kind) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  return registry<float>().count(kind) > 0 || registry<double>().count(kind) > 0;
}

std::vector<std::string> registered_encodings() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  std::vector<std::string> names;
  for (const auto& entry : registry<float>()) names.push_back(entry.first);
  for (const auto& entry : registry<double>())
    if (!registry<float>().count(entry.first)) names.push_back(entry.first);
  return names;
}

template <class Scalar>
std::unique_ptr<Encoding<Scalar>> make_encoding(const EncodingConfig& config, std::uint64_t seed) {
  return find_kind<Scalar>(config.kind).make(config, seed);
}

template <class Scalar> std::unique_ptr<Encoding<Scalar>> restore_encoding(const EncodingState& state) {
  return find_kind<Scalar>(state.kind).restore(state);
}

template void register_encoding<float>(const std::string&, EncodingKind<float>);
template void register_encoding<double>(const std::string&, EncodingKind<double>);
template std::unique_ptr<Encoding<float>> make_encoding<float>(const EncodingConfig&, std::uint64_t);
template std::unique_ptr<Encoding<double>> make_encoding<double>(const EncodingConfig&, std::uint64_t);
template std::unique_ptr<Encoding<float>> restore_encoding<float>(const EncodingState&);
template std::unique_ptr<Encoding<double>> restore_encoding<double>(const EncodingState&);

}  // namespace mcinr
