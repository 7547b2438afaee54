// io/text_files: CSV tables of text and key = value records, round trips and
// the errors a damaged file gets.
#include <catch2/catch.hpp>
#include <filesystem>

#include "mcinr/io/text_files.hpp"

using namespace mcinr::io;

TEST_CASE("a text table round-trips through CSV, quotes, commas and newlines included", "[io]") {
  TextTable table;
  table.columns = {"index", "path", "error"};
  table.rows = {{"1", "/data/a,b/sub", "said \"no\""}, {"2", "", "line one\nline two"}, {"3", " spaced ", "x\r\ny"}};
  const std::string csv = to_csv(table);
  CHECK(csv.substr(0, csv.find('\n')) == "index,path,error");
  CHECK(csv.find("\"/data/a,b/sub\",\"said \"\"no\"\"\"") != std::string::npos);
  const TextTable back = parse_csv(csv, "test");
  CHECK(back.columns == table.columns);
  CHECK(back.rows == table.rows);
  CHECK(back.column("error") == 2);
  CHECK_THROWS_WITH(back.column("nope"), "the table has no column 'nope'");
}

TEST_CASE("damaged CSV is refused with the line", "[io]") {
  CHECK_THROWS_WITH(parse_csv("", "t.csv"), "t.csv: empty table (no header line)");
  CHECK_THROWS_WITH(parse_csv("a,b\n1,2\n3\n", "t.csv"), "t.csv: row 2 has 1 cells, the header 2");
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\"2\n", "t.csv"), "t.csv: line 2: unterminated quote");
  // Blank lines and CRLF endings are fine; an empty last cell is a cell.
  const TextTable t = parse_csv("a,b\r\n\r\n1,\r\n", "t.csv");
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0] == std::vector<std::string>{"1", ""});
}

TEST_CASE("key = value records round-trip, newlines in values are flattened", "[io]") {
  const auto dir = std::filesystem::temp_directory_path() / "mcinr_text_files_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "state.txt").string();
  write_record(path, {{"state", "failed"}, {"error", "a: b = c\nsecond"}, {"empty", ""}}, "a comment");
  const Record r = read_record(path);
  CHECK(r.at("state") == "failed");
  CHECK(r.at("error") == "a: b = c second");
  CHECK(r.at("empty").empty());
  CHECK(r.size() == 3);
  CHECK_THROWS_WITH(parse_record("ok = 1\nno equals sign\n", "s.txt"), "s.txt: line 2: expected key = value");
  CHECK_THROWS_WITH(read_record((dir / "absent.txt").string()), Catch::Contains("absent.txt: not a readable file"));
  std::filesystem::remove_all(dir);
}
