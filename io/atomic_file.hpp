#pragma once
// The one way io/ replaces a file: a crash of the process or of the node
// never leaves a partial file where a good one was.
//  1. the content goes to a new temporary file in a private folder (0700,
//     unpredictable name) beside the target, created exclusively: no planted
//     link is ever followed, by us or by a library writing by name;
//  2. it is flushed to disk (fsync);
//  3. it is renamed over the target;
//  4. the folder is flushed (fsync), so the rename itself survives a power loss.
// Writers that take a file name (ITK, HDF5) write to temporary_path() and
// then commit().
#include <string>

namespace mcinr::io {

class AtomicFile {
 public:
  // Creates the folder ".<name>.XXXXXX" beside path and in it the temporary
  // file "partial<suffix>" (suffix: what a format library needs to see, e.g.
  // ".nii.gz"). Throws
  // std::runtime_error "cannot write <path>: <reason>".
  explicit AtomicFile(const std::string& path, const std::string& suffix = "");
  ~AtomicFile();  // removes the temporary folder (and the file unless committed)
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_; }
  // Writes text into the temporary file (replacing what it holds).
  void write(const std::string& text);
  // Steps 2-4. Throws std::runtime_error naming path; the target is then unchanged.
  void commit();

 private:
  std::string path_, folder_, temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes text to path atomically.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mcinr::io
