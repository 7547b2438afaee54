#pragma once
#include <string>
#include <vector>

#include "io/nifti.hpp"

namespace mcinr::drivers {
// The LR grid and values of a thick-slice acquisition along `axis` (see degrade.cpp).
io::Volume degrade_volume(const io::Volume& hr, int axis, int factor, const std::string& profile, double fwhm_mm);
// Zero-pads z at the end to `slices` (the reference's BraTS padding).
io::Volume pad_z(const io::Volume& hr, int slices);
// voxel >= 1: the reference's LR masks and brain mask.
io::Volume threshold_mask(const io::Volume& v);
// axial -> 2, coronal -> 1, sagittal -> 0; anything else is a UsageError.
int view_axis(const std::string& view);

// `mcinr degrade`: simulates a thick-slice scan from a high-resolution one.
int run_degrade(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
