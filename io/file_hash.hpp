#pragma once
// Content hashes of files (OpenSSL's SHA-256): what a result's sidecar
// records of its inputs, so a later reader can tell they are the same files.
#include <string>

namespace mcinr::io {

// "sha256:<64 hex digits>" of the file's bytes; std::runtime_error naming
// the path where it cannot be read.
std::string file_sha256(const std::string& path);

}  // namespace mcinr::io
