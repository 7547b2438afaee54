#pragma once
// Image metrics with the reference's definitions (method.md), on device
// volumes stored flat, x fastest:
//  * reference_normalize: shift by the minimum inside the mask, divide by the
//    maximum over the whole volume, multiply by the mask;
//  * psnr: skimage peak_signal_noise_ratio(data_range=1) over the whole volume;
//  * ssim: skimage 3D structural_similarity(data_range=1): 7x7x7 uniform
//    window, K1 0.01, K2 0.03, sample covariance, mean over the voxels whose
//    window lies inside the volume;
//  * mutual_information: joint histogram (bins x bins) of the voxels inside
//    the mask over each image's min..max there; sum p ln(p / (px py)), nats.
// psnr_reference / ssim_reference apply reference_normalize to both first.
#include <cstdint>

#include "mcinr/backends/types.hpp"

namespace mcinr {

struct GridShape {
  std::size_t nx = 0, ny = 0, nz = 0;
  std::size_t size() const { return nx * ny * nz; }
};

using ConstVolume = Kokkos::View<const float*, MemSpace>;
using ConstMask = Kokkos::View<const std::uint8_t*, MemSpace>;
using VolumeD = Kokkos::View<double*, MemSpace>;

// A volume with nothing above its in-mask minimum is refused, or with
// flat_is_zero normalised to 0 everywhere (a prediction that sits on a
// floor: the reference would divide by zero).
VolumeD reference_normalize(ConstVolume x, ConstMask mask, bool flat_is_zero = false);

double psnr(Kokkos::View<const double*, MemSpace> a, Kokkos::View<const double*, MemSpace> b);
double ssim(Kokkos::View<const double*, MemSpace> a, Kokkos::View<const double*, MemSpace> b, GridShape shape);

// The voxels [lo, hi) per axis.
struct VoxelBox {
  std::size_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  bool empty() const { return !(lo[0] < hi[0] && lo[1] < hi[1] && lo[2] < hi[2]); }
};
// The smallest box holding the mask's nonzero voxels (empty where none is).
VoxelBox mask_box(ConstMask mask, GridShape shape);
// ssim(a, b, shape) for volumes that are equal outside `differ` (as
// reference_normalize makes them, both 0 outside its mask): a window that
// misses the box scores exactly 1, so only the box and a 6-voxel rim are
// filtered. Equal to the full computation up to the order of the sum.
double ssim(Kokkos::View<const double*, MemSpace> a, Kokkos::View<const double*, MemSpace> b, GridShape shape,
            const VoxelBox& differ);

double psnr_reference(ConstVolume prediction, ConstVolume truth, ConstMask mask);
double ssim_reference(ConstVolume prediction, ConstVolume truth, ConstMask mask, GridShape shape);

double mutual_information(ConstVolume a, ConstVolume b, ConstMask mask, int bins = 32);

}  // namespace mcinr
