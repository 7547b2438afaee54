#include "mcinr/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace mcinr::io {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw std::runtime_error("cannot " + what + " " + path + ": " + std::strerror(error));
}

mode_t default_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // some file systems refuse to open folders: the rename is done anyway
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

// MCINR_TEST_KILL_AT=NAME[:N] (tests only): SIGKILL just before the Nth
// (default 1st) commit of a file named NAME, the moment a kill -9 or a
// node failure would leave that file unwritten and everything before it
// written. tests/kill_at_every_write.sh walks a fit's writes with it.
void kill_if_asked(const std::string& path) {
  static const char* at = std::getenv("MCINR_TEST_KILL_AT");
  if (!at || !*at) return;
  static int seen = 0;
  const std::string spec(at);
  const auto colon = spec.rfind(':');
  const std::string name = colon == std::string::npos ? spec : spec.substr(0, colon);
  const int nth = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
  if (std::filesystem::path(path).filename() != name) return;
  if (++seen == nth) ::raise(SIGKILL);
}

AtomicFile::AtomicFile(const std::string& path, const std::string& suffix) : path_(path) {
  // A private folder (0700, unpredictable name) beside the target holds the
  // temporary file: nobody else can plant a link under the name a library
  // then opens, and a file of the right suffix can be made in it exclusively.
  const std::filesystem::path target(path);
  const std::string pattern_text = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  std::vector<char> pattern(pattern_text.begin(), pattern_text.end());
  pattern.push_back('\0');
  if (!::mkdtemp(pattern.data())) fail("write", path, errno);
  folder_ = pattern.data();
  temporary_ = (std::filesystem::path(folder_) / ("partial" + suffix)).string();
  fd_ = ::open(temporary_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, default_mode());
  if (fd_ < 0) {
    const int error = errno;
    ::rmdir(folder_.c_str());
    fail("write", path, error);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temporary_.c_str());
  // A library may have left side files (HDF5 does not; kept general).
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
}

void AtomicFile::write(const std::string& text) {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) fail("write", path_, errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", path_, errno);
    }
    done += std::size_t(n);
  }
}

void AtomicFile::commit() {
  // A library may have replaced the file by name: sync what is there now.
  const int fd = ::open(temporary_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) fail("write", path_, errno);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) fail("write", path_, error);
  kill_if_asked(path_);
  // rename() replaces a link at the target itself, never what it points to.
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) fail("rename onto", path_, errno);
  committed_ = true;
  ::rmdir(folder_.c_str());  // now empty (the destructor sweeps what a library left)
  sync_folder(std::filesystem::path(path_).parent_path().string());
}

void write_file_atomically(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace mcinr::io
