#pragma once
// What each fuzz target shares: its input as a file (the readers take
// paths, as the commands do), and the rule that a reader may refuse the
// input (any std::exception: one error line, exit 2 in the commands) but
// must not crash, hang or leak; the sanitizers and libFuzzer check that.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace mcinr::fuzz {

// A private folder for this process' temporary files.
// Removed at exit.
inline const std::filesystem::path& scratch() {
  struct Folder {
    std::filesystem::path path;
    Folder() {
      const char* base = std::getenv("TMPDIR");
      std::string pattern = std::string(base && *base ? base : "/tmp") + "/mcinr-fuzz-XXXXXX";
      if (!::mkdtemp(pattern.data())) std::abort();
      path = pattern;
    }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

// Writes the input to scratch()/name and returns its path.
inline std::string as_file(const std::uint8_t* data, std::size_t size, const std::string& name) {
  const std::string path = (scratch() / name).string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

}  // namespace mcinr::fuzz
