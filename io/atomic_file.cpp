#include "mcinr/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
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

AtomicFile::AtomicFile(const std::string& path, const std::string& suffix) : path_(path) {
  const std::filesystem::path target(path);
  const std::string name = "." + target.filename().string() + ".XXXXXX";
  std::vector<char> pattern;
  const std::string full = (target.parent_path() / name).string() + suffix;
  pattern.assign(full.begin(), full.end());
  pattern.push_back('\0');
  fd_ = ::mkstemps(pattern.data(), int(suffix.size()));
  if (fd_ < 0) fail("write", path, errno);
  temporary_ = pattern.data();
  ::fchmod(fd_, default_mode());  // mkstemps makes it 0600
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
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
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) fail("rename onto", path_, errno);
  committed_ = true;
  sync_folder(std::filesystem::path(path_).parent_path().string());
}

void write_file_atomically(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace mcinr::io
