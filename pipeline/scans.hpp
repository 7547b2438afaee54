#pragma once
// A subject's low-resolution scans on the device, with their masks and
// intensity ranges, and the training samples they become.
#include <cstdint>
#include <string>
#include <vector>

#include "mcinr/core/field_domain.hpp"
#include "mcinr/core/trainer.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace mcinr::pipeline {

// How a scan's mask is made where no mask file is given.
enum class MaskMode {
  automatic,  // io::auto_head_mask: Otsu head mask, or nonzero voxels on a zero background
  nonzero     // voxels != 0 (the reference's)
};
MaskMode parse_mask_mode(const std::string& text);  // "auto", "nonzero"; InputError otherwise
std::string to_string(MaskMode mode);

struct Scan {
  DeviceVolume volume;
  DeviceMask mask;       // given, automatic or voxels != 0
  float lo = 0, hi = 1;  // intensity range used for min-max scaling
  std::string mask_method;  // where the mask came from, for the log
  double mask_share = 0;    // the share of the scan's voxels in its mask
};

// Loads a scan and its mask (the file where given, else made by `mode`);
// refuses an all-constant image or an empty mask.
Scan load_scan(const std::string& image, const std::string& mask, MaskMode mode = MaskMode::nonzero);

// A device mask on the host (one byte per voxel).
std::vector<std::uint8_t> host_mask(const DeviceMask& mask);

// A content hash of a scan (FNV-1a 64 over its voxel values and its
// geometry): what a checkpoint keeps to know its inputs again.
std::uint64_t content_hash(const Scan& scan);

// Refuses two scans whose voxel-centre boxes do not overlap in world space.
void require_overlap(const Scan& a, const std::string& a_name, const Scan& b, const std::string& b_name);

// Flat indices (into `index`, sized to the scan's voxels) of the voxels that
// make_samples takes from scan c with salt c + 1: all (mask_margin_mm < 0),
// or those within the margin of the mask (a box dilation per axis, in that
// scan's voxels, the margin rounded up to whole voxels) plus the share
// `background` of the rest. Returns the count.
std::size_t choose_voxels(const Scan& scan, double mask_margin_mm, double background, std::uint64_t salt,
                          const Kokkos::View<std::size_t*, MemSpace>& index);

// Samples of both scans, contrast 1 first: every voxel, or with
// mask_margin_mm >= 0 only voxels within that distance (mm, a box per axis)
// of the scan's mask and, of the others, the share `background` (a fixed
// random choice). Coordinates through the domain's map; intensities min-max
// scaled per scan.
SampleSet<float> make_samples(const Scan scans[2], const FieldDomain& domain, double mask_margin_mm,
                              double background = 0);

// A scan's slice profile in the field's domain: the slice-select direction
// (its grid's thickest axis) times the thickness (thickness_mm, or 0: that
// axis' spacing).
SliceProfile slice_profile(const Scan& scan, const FieldDomain& domain, ProfileKind kind, double thickness_mm);

// The lowest intensity a scan measured inside a mask on another grid (the
// brain mask on the output grid; one byte per voxel, x fastest): over the
// scan's voxels whose centre's nearest grid voxel lies in the mask. NaN
// where no scan voxel does.
double lowest_inside(const Scan& scan, const io::Geometry& grid, const std::vector<std::uint8_t>& mask);

}  // namespace mcinr::pipeline
