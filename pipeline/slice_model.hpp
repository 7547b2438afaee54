#pragma once
// The slice model: how a 2D acquisition with thick slices is simulated from a
// high-resolution volume (mcinr degrade, mcinr prepare), and the volume
// edits that go with it (z padding, cropping, the reference's >= 1 masks).
//  * decimate (the reference): LR slice k is HR slice F k + o, with
//    o = (n - 1) - F (m - 1), m = n / F, so the last LR slice lies on the last
//    HR slice (the reference's grid: 240x240x160 -> 240x240x40, o = 3);
//  * box: the slab of width F around that centre (HR slices at distance F/2
//    weigh 1/2), a slice profile as real 2D sequences have;
//  * gaussian: a Gaussian profile of the given FWHM (mm) around that centre.
// The LR grid keeps the HR geometry with the slice spacing times F and the
// origin moved to the first LR slice centre.
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::pipeline {

enum class SliceProfile { decimate, box, gaussian };
SliceProfile parse_slice_profile(const std::string& name, const std::string& option = "--profile");
std::string to_string(SliceProfile profile);

// axial: thick along axis 2, coronal: 1, sagittal: 0.
int view_axis(const std::string& view);

// Weights of the HR slices around an LR slice centre (offset in HR slices).
std::vector<std::pair<int, double>> profile_weights(SliceProfile profile, int factor, double fwhm_slices);

// An LR volume with factor-times thicker slices along axis.
io::Volume degrade_volume(const io::Volume& hr, int axis, int factor, SliceProfile profile, double fwhm_mm);

// Zero-pads z at its end to `slices` (the reference's BraTS: 155 -> 160).
io::Volume pad_z(const io::Volume& hr, std::size_t slices);

// The voxel box [x0, x1) x [y0, y1) x [z0, z1) (box = x0,y0,z0,x1,y1,z1).
io::Volume crop(const io::Volume& v, const std::vector<long>& box);

// voxel >= 1 as 1, else 0 (the reference's masks).
io::Volume threshold_mask(const io::Volume& v);

}  // namespace mcinr::pipeline
