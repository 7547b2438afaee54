#pragma once
// Classical interpolation of a volume onto another grid, through ITK's
// ResampleImageFilter: order 0 nearest, 1 linear, 3 cubic B-spline; points
// outside the volume get 0. The interpolation baselines a fit is judged by.
#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

Volume resample(const Volume& image, const Geometry& grid, int order);

}  // namespace mcinr::io
