// io/metric_table: CSV round trip and atomic writes.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mcinr/io/metric_table.hpp"

using mcinr::io::MetricTable;

TEST_CASE("a metric table round-trips through CSV exactly", "[io]") {
  MetricTable table({"epoch", "loss"});
  table.add_row({1, 0.1234567890123456789});
  table.add_row({2, 1e-300});
  CHECK_THROWS_AS(table.add_row({3}), std::invalid_argument);
  const auto dir = std::filesystem::temp_directory_path() / "mcinr_metric_table_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "metrics.csv").string();
  table.write(path);
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  CHECK(header == "epoch,loss");
  for (std::size_t r = 0; r < 2; ++r) {
    std::getline(in, line);
    std::stringstream fields(line);
    std::string a, b;
    std::getline(fields, a, ',');
    std::getline(fields, b, ',');
    CHECK(std::stod(a) == table.row(r)[0]);
    CHECK(std::stod(b) == table.row(r)[1]);
  }
  // No temporary file is left beside it.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.is_regular_file();
  CHECK(files == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("writing into a missing folder fails with the path and leaves nothing", "[io]") {
  MetricTable table({"a"});
  table.add_row({1});
  try {
    table.write("/nonexistent-mcinr-dir/metrics.csv");
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent-mcinr-dir/metrics.csv") != std::string::npos);
  }
}
