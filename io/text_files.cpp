#include "mcinr/io/text_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mcinr/io/atomic_file.hpp"

namespace mcinr::io {

std::size_t TextTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  throw std::runtime_error("the table has no column '" + name + "'");
}

namespace {

std::string quoted(const std::string& cell) {
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char ch : cell) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + '"';
}

void append_line(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += quoted(cells[i]);
  }
  out += '\n';
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::string to_csv(const TextTable& table) {
  std::string out;
  append_line(out, table.columns);
  for (const auto& row : table.rows) {
    if (row.size() != table.columns.size()) throw std::logic_error("to_csv: a row has the wrong number of cells");
    append_line(out, row);
  }
  return out;
}

TextTable parse_csv(const std::string& text, const std::string& origin) {
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> cells;
  std::string cell;
  bool in_quotes = false, line_has_content = false;
  std::size_t line = 1, quote_line = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_quotes) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (ch == '"') {
        in_quotes = false;
      } else {
        if (ch == '\n') ++line;
        cell += ch;
      }
    } else if (ch == '"') {
      in_quotes = true;
      quote_line = line;
      line_has_content = true;
    } else if (ch == ',') {
      cells.push_back(cell);
      cell.clear();
      line_has_content = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (line_has_content || !cell.empty()) {
        cells.push_back(cell);
        lines.push_back(cells);
      }
      cells.clear();
      cell.clear();
      line_has_content = false;
      ++line;
    } else {
      cell += ch;
      line_has_content = true;
    }
  }
  if (in_quotes) throw std::runtime_error(origin + ": line " + std::to_string(quote_line) + ": unterminated quote");
  if (line_has_content || !cell.empty()) {
    cells.push_back(cell);
    lines.push_back(cells);
  }
  if (lines.empty()) throw std::runtime_error(origin + ": empty table (no header line)");
  TextTable table;
  table.columns = lines.front();
  for (std::size_t r = 1; r < lines.size(); ++r) {
    if (lines[r].size() != table.columns.size())
      throw std::runtime_error(origin + ": row " + std::to_string(r) + " has " + std::to_string(lines[r].size()) +
                               " cells, the header " + std::to_string(table.columns.size()));
    table.rows.push_back(lines[r]);
  }
  return table;
}

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": not a readable file");
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes)
    throw std::runtime_error(path + ": too large (" + std::to_string(size) + " bytes, at most " +
                             std::to_string(max_bytes) + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": cannot read");
  return text.str();
}

TextTable read_csv(const std::string& path) { return parse_csv(read_text_file(path), path); }

void write_csv(const std::string& path, const TextTable& table) { write_file_atomically(path, to_csv(table)); }

Record parse_record(const std::string& text, const std::string& origin) {
  Record record;
  std::istringstream in(text);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const std::string content = trimmed(line);
    if (content.empty() || content[0] == '#') continue;
    const auto eq = content.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error(origin + ": line " + std::to_string(number) + ": expected key = value");
    record[trimmed(content.substr(0, eq))] = trimmed(content.substr(eq + 1));
  }
  return record;
}

std::vector<IniEntry> parse_ini(const std::string& text, const std::string& origin) {
  std::vector<IniEntry> entries;
  std::istringstream in(text);
  std::string line, section;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const std::string content = trimmed(line.substr(0, line.find('#')));
    if (content.empty()) continue;
    if (content.front() == '[') {
      if (content.back() != ']' || content.size() < 3)
        throw std::runtime_error(origin + ": line " + std::to_string(number) + ": expected [section]");
      section = trimmed(content.substr(1, content.size() - 2));
      continue;
    }
    const auto eq = content.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::runtime_error(origin + ": line " + std::to_string(number) + ": expected key = value");
    entries.push_back({section, trimmed(content.substr(0, eq)), trimmed(content.substr(eq + 1)), number});
  }
  return entries;
}

std::vector<IniEntry> read_ini(const std::string& path) { return parse_ini(read_text_file(path), path); }

Record read_record(const std::string& path) { return parse_record(read_text_file(path), path); }

void write_record(const std::string& path, const Record& record, const std::string& comment) {
  std::string text;
  if (!comment.empty()) text += "# " + comment + "\n";
  for (const auto& [key, value] : record) {
    std::string flat = value;
    for (char& ch : flat)
      if (ch == '\n' || ch == '\r') ch = ' ';
    text += key + " = " + flat + "\n";
  }
  write_file_atomically(path, text);
}

}  // namespace mcinr::io
