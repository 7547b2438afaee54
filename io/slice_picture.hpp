#pragma once
// A PNG of mid-slices: one column per volume (e.g. prediction beside ground
// truth), rows axial (x-y), coronal (x-z) and sagittal (y-z) through the
// volume's centre, each volume scaled to its own min..max.
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

// Volumes must share one grid. Written atomically.
void write_mid_slices(const std::string& path, const std::vector<const Volume*>& columns);

}  // namespace mcinr::io
