#pragma once
// Small text files the cohort tools keep: CSV tables of text cells (RFC 4180
// quoting, so paths with commas or quotes survive) and key = value records.
// Writes are atomic (temporary file, then rename), as for metric tables.
#include <map>
#include <string>
#include <vector>

namespace mcinr::io {

struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each the size of columns

  // Index of a column; throws std::runtime_error naming it where absent.
  std::size_t column(const std::string& name) const;
};

std::string to_csv(const TextTable& table);
// Throws std::runtime_error "<origin>: line N: ..." for a malformed table
// (unterminated quote, a row with the wrong number of cells, no header).
TextTable parse_csv(const std::string& text, const std::string& origin);
TextTable read_csv(const std::string& path);
void write_csv(const std::string& path, const TextTable& table);

// "key = value" lines; '#' starts a comment line. Values keep inner spaces;
// a value may not hold a newline (write_record replaces them with spaces).
using Record = std::map<std::string, std::string>;
Record parse_record(const std::string& text, const std::string& origin);
Record read_record(const std::string& path);
void write_record(const std::string& path, const Record& record, const std::string& comment = "");

// An INI file: "key = value" lines under optional [section] headers; '#'
// starts a comment (to the end of the line), as Boost.Program_options reads
// config files. Keys may repeat. Throws std::runtime_error
// "<origin>: line N: ..." for a line that is neither.
struct IniEntry {
  std::string section;  // "" before the first header
  std::string key, value;
  std::size_t line = 0;
};
std::vector<IniEntry> parse_ini(const std::string& text, const std::string& origin);
std::vector<IniEntry> read_ini(const std::string& path);

// The whole file as a string; throws std::runtime_error "<path>: ..." where
// it is not a regular file, cannot be read or is larger than max_bytes.
std::string read_text_file(const std::string& path, std::size_t max_bytes = std::size_t(64) << 20);

}  // namespace mcinr::io
