#pragma once
// A CSV table of metrics, one row per epoch (or per subject). The file on
// disk is always complete: every write goes to a temporary file beside it,
// which is then renamed over the old one.
#include <string>
#include <vector>

namespace mcinr::io {

class MetricTable {
 public:
  explicit MetricTable(std::vector<std::string> columns);

  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t rows() const { return rows_.size(); }
  // values.size() must equal columns().size().
  void add_row(const std::vector<double>& values);
  const std::vector<double>& row(std::size_t i) const { return rows_.at(i); }
  void set_row(std::size_t i, const std::vector<double>& values);  // same size as columns()

  std::string to_csv() const;
  // Writes atomically; throws std::runtime_error with the path and reason.
  void write(const std::string& path) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

}  // namespace mcinr::io
