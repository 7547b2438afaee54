#pragma once
// Masks of a scan's head, from its intensities alone (ITK): what a fit uses
// where the user gives no mask.
#include <cstdint>
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

struct HeadMask {
  std::vector<std::uint8_t> voxels;  // 1 inside, x fastest
  std::string method;                // how it was made, for the log: "Otsu threshold 112.5, ..."
};

// A head mask: voxels above ITK's Otsu threshold (256 bins), their largest
// 6-connected component, holes filled (background not 6-connected to the
// volume's border; then per slice across the thick axis, for heads the
// field of view cuts). The components and holes are flood fills of our own:
// ITK 5.2's ConnectedComponentImageFilter does pointer arithmetic on a null
// buffer (UBSan) on small volumes. On a scan whose
// background is exactly zero (skull-stripped or masked already: at least 5%
// of the voxels are 0) the mask is its nonzero voxels, as the reference's.
HeadMask auto_head_mask(const Volume& image);

// The share of a volume's voxels a mask covers (0..1).
double mask_share(const std::vector<std::uint8_t>& mask);

}  // namespace mcinr::io
