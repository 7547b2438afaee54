#include "io/metric_table.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace mcinr::io {

MetricTable::MetricTable(std::vector<std::string> columns) : columns_(std::move(columns)) {
  if (columns_.empty()) throw std::invalid_argument("a metric table needs at least one column");
}

void MetricTable::add_row(const std::vector<double>& values) {
  if (values.size() != columns_.size())
    throw std::invalid_argument("metric row has " + std::to_string(values.size()) + " values for " +
                                std::to_string(columns_.size()) + " columns");
  rows_.push_back(values);
}

std::string MetricTable::to_csv() const {
  std::ostringstream out;
  out << std::setprecision(std::numeric_limits<double>::max_digits10);
  for (std::size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << columns_[c];
  out << '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << row[c];
    out << '\n';
  }
  return out.str();
}

void MetricTable::write(const std::string& path) const { write_file_atomically(path, to_csv()); }

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot " + std::string(what) + " " + path + ": " + reason);
  };
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (!file) fail("write");
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  if (std::fclose(file) != 0 || !written || !flushed) fail("write");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename onto");
}

}  // namespace mcinr::io
