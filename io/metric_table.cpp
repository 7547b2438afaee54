#include "mcinr/io/metric_table.hpp"

#include "mcinr/io/atomic_file.hpp"

#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

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

void MetricTable::set_row(std::size_t i, const std::vector<double>& values) {
  if (values.size() != columns_.size() || i >= rows_.size()) throw std::invalid_argument("metric row out of range");
  rows_[i] = values;
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

}  // namespace mcinr::io
