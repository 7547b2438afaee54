#pragma once
// Classical interpolation of a volume onto another grid, through ITK's
// ResampleImageFilter: order 0 nearest, 1 linear, 3 cubic B-spline; points
// outside the volume get 0. The interpolation baselines a fit is judged by.
#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

Volume resample(const Volume& image, const Geometry& grid, int order);

// Linear interpolation of a thick-slice volume (one axis's spacing at least
// 1.5 times the finer of the other two) in two bands. The in-plane low-pass
// (a Gaussian of sigma detail_mm across each slice) is interpolated
// linearly; the detail (the volume minus its low-pass) with the weights
// (1 - t)^power and t^power between neighbouring slices (t: the fraction of
// the way from one to the next), so fine in-plane detail fades faster with
// the distance from its slice than the smooth part does. On the slices
// themselves the value is the volume's; power 1, detail_mm 0 or a volume
// without a thick axis give resample(image, grid, 1). Done through an
// intermediate volume with the slice axis at the in-plane spacing, sampled
// on the slices, then ITK's linear resampling onto grid.
Volume resample_fading_detail(const Volume& image, const Geometry& grid, double detail_mm, double power);

}  // namespace mcinr::io
