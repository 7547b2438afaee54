#pragma once
// One writer per output folder: a fit holds an exclusive lock on
// "<folder>/.mcinr.lock" while it runs, so a second fit (or a resume)
// started on the same folder is refused instead of interleaving its
// checkpoints and outputs with the first. POSIX record locks (fcntl), which
// work on NFS with lockd and are released by the kernel when the process
// ends, however it ends (kill -9 included): no stale lock to clean up.
#include <stdexcept>
#include <string>

namespace mcinr::io {

// Thrown when another process holds the folder's lock.
struct FolderInUse : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FolderLock {
 public:
  // Takes the lock of an existing folder, writing this process' id into the
  // lock file. Throws FolderInUse "<folder> is in use by another mcinr
  // process (pid N): ..." or std::runtime_error when the file cannot be made.
  explicit FolderLock(const std::string& folder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  static constexpr const char* file_name = ".mcinr.lock";

 private:
  int fd_ = -1;
};

}  // namespace mcinr::io
