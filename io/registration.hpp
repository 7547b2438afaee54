#pragma once
// Rigid alignment of two scans of one subject (two contrasts, each possibly
// thick-slice and differently oriented), through ITK's v4 registration
// framework with Mattes mutual information; the transform as an ITK .tfm;
// a NIfTI file rewritten with only its header's geometry changed; and a
// quick check whether two scans look misaligned.
//
// Convention (ITK's): a RigidTransform T maps a point x of the FIXED scan's
// world space to the point T(x) of the MOVING scan's world space that shows
// the same anatomy, so fixed(x) ~ moving(T(x)). World points are in mm in
// ITK's LPS frame, as io::Geometry holds them. T(x) = R (x - c) + c + t with
// R = Rz Rx Ry (itk::Euler3DTransform, ComputeZYX off), c the centre of
// rotation and t the translation.
//
// The moving scan's header is then wrong by T: its voxel at world p (by its
// own header) belongs at T^-1(p) in the fixed scan's world. corrected_geometry
// gives the header that puts it there; with it both scans share one world
// space and a fit can use them as they are, without resampling either.
//
// Typical use (what `mcinr register` does):
//   const io::Volume fixed = io::read_nifti(a), moving = io::read_nifti(b);
//   const io::RigidTransform t = io::register_rigid(fixed, moving);
//   const io::Geometry header = io::corrected_geometry(moving.geometry, t);
//   io::rewrite_nifti_geometry(b, out_nifti, header);  // voxels unchanged
//   io::write_transform(out_tfm, t);
// A pre-fit warning: io::check_alignment(fixed, moving).misaligned, its
// summary() the line to print. In a fit (`fit --register rigid`), the second
// scan can be registered to the first and used with corrected_geometry in
// memory, its voxels as they are; its mask (on its grid) takes the same
// corrected geometry.
//
// Reproducible: the voxels sampled come from a fixed seed and ITK's metric
// runs as one work unit, so the same inputs and options give the same
// transform bit for bit, whatever the thread count. Cost: a few seconds to
// about 20 s for clinical scans (240x240x40) on one core. Errors: options
// out of range throw std::invalid_argument naming the option; ITK's
// failures (e.g. scans that hardly overlap) std::runtime_error.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

struct RigidTransform {
  std::array<double, 3> center{};       // c: mm, fixed world (LPS)
  std::array<double, 3> angles{};       // radians about the world x, y, z axes (LPS); R = Rz Rx Ry
  std::array<double, 3> translation{};  // t: mm

  // R, row-major.
  std::array<double, 9> rotation() const;
  // T(x): fixed world -> moving world.
  std::array<double, 3> apply(const std::array<double, 3>& x) const;
  // T^-1(p): moving world -> fixed world.
  std::array<double, 3> apply_inverse(const std::array<double, 3>& p) const;
  // The angles in degrees.
  std::array<double, 3> angles_degrees() const;
  // The angle of R as one rotation about an axis, degrees (>= 0).
  double rotation_degrees() const;
  bool is_identity() const;
};

// How register_rigid starts.
enum class RigidStart {
  header,   // identity (the scans' headers already share a world, as two scans of one session do); the rotation centre
            // is the fixed scan's centre. The default.
  centres,  // the moving scan's field-of-view centre moved onto the fixed one's (scans from different sessions)
  moments,  // the centres of mass of intensity moved onto each other
};

struct RegistrationOptions {
  // One entry per level, coarse to fine (the three vectors have one length).
  // Each level shrinks the fixed scan, axis by axis, to about level_spacing_mm
  // (an axis already that coarse, e.g. a 4 mm slice axis, is not shrunk;
  // 0: the scan's own spacing) and smooths both scans with a Gaussian of
  // sigma smoothing_mm.
  std::vector<double> level_spacing_mm{4, 2, 0};
  std::vector<double> smoothing_mm{2, 1, 0};
  // The largest displacement of any point of the fixed field of view in one
  // step, at the start of each level; halved whenever the step reverses
  // direction; a level ends below minimum_step_mm or after `iterations`.
  std::vector<double> initial_step_mm{2, 1, 0.5};
  double minimum_step_mm = 0.01;
  int iterations = 200;
  // The share of the (shrunk) fixed scan's voxels sampled at each level, at
  // most max_samples points, drawn with `seed`.
  double sampling_share = 0.25;
  std::size_t max_samples = 200000;
  int bins = 32;  // Mattes histogram bins
  std::uint32_t seed = 1;
  RigidStart start = RigidStart::header;
};

// The rigid transform that best aligns `moving` to `fixed` (maximum Mattes
// mutual information), in the convention above; its centre is the fixed
// scan's field-of-view centre (RigidStart::header) or ITK's initializer's.
RigidTransform register_rigid(const Volume& fixed, const Volume& moving, const RegistrationOptions& options = {});

// The moving scan's header such that its voxels land where they belong in
// the fixed scan's world: direction R^-1 D, origin T^-1(origin), size and
// spacing unchanged.
Geometry corrected_geometry(const Geometry& moving, const RigidTransform& transform);

struct MutualInformationOptions {
  int bins = 32;
  std::size_t samples = 100000;  // points of the fixed scan, each at a random place in a random voxel
  std::uint32_t seed = 1;
};

// Mattes mutual information (nats; larger: better aligned) of `moving`
// sampled at T(x) against `fixed` at x, over sample points x of the fixed
// scan (points whose T(x) falls outside the moving scan are left out). The
// score register_rigid maximises, for "before / after" reports.
double mutual_information(const Volume& fixed, const Volume& moving, const RigidTransform& transform = {},
                          const MutualInformationOptions& options = {});

struct AlignmentCheckOptions {
  // First MI at zero and at these shifts (mm) along each world axis, both
  // signs; then a compass search from the best one with steps halving from
  // the smallest shift down to finest_step_mm.
  std::vector<double> shifts_mm{2, 4};
  double finest_step_mm = 0.25;
  MutualInformationOptions mi{32, 60000, 1};
  // A misalignment is likely where the best shift is at least warn_shift_mm
  // long and its MI exceeds the MI at zero by at least warn_gain (relative).
  // Measured on thick-slice pairs of two contrasts (1x1x4 mm axial against
  // 1x4x1 coronal or 4x1x1 sagittal, and a 1x1x5 mm axial on a grid turned
  // by 14 degrees; BraTS and TCGA-LGG subjects, docs/user-guide.md): aligned
  // pairs gave shifts up to 1.4 mm and gains up to 1.5% (the MI optimum of
  // two contrasts at thick slices is not the data's co-registration to the
  // millimetre); 3-4 mm shifts gave shifts from 1.8 mm and gains from 3.1%.
  double warn_shift_mm = 1.5;
  double warn_gain = 0.02;
};

struct AlignmentCheck {
  double mi_at_zero = 0;          // nats
  std::array<double, 3> shift{};  // mm, world (LPS): b matches a best where b is sampled at x + shift
  double mi_at_shift = 0;         // nats, at `shift`
  double gain = 0;                // mi_at_shift / mi_at_zero - 1
  bool misaligned = false;        // the rule of AlignmentCheckOptions
  int evaluations = 0;            // MI evaluations the search made
  double shift_mm() const;        // |shift|
  // One line: "MI 0.412 at zero, 0.451 at a shift of (0, 0, 3) mm (+9.2%): the
  // scans look misaligned by about 3 mm" (or "...: no sign of misalignment").
  std::string summary() const;
};

// Mutual information of b against a at zero shift and at small translations
// of b (never rotations): one or two seconds on clinical scans. `shift` is where b's
// anatomy is found relative to a's, so b's header is off by that much (its
// origin would move by -shift). a and b must overlap in world space.
AlignmentCheck check_alignment(const Volume& a, const Volume& b, const AlignmentCheckOptions& options = {});

// Writes the transform as an ITK transform file (text, "Euler3DTransform_double_3_3";
// .tfm or .txt), atomically; read_transform reads such a file back
// (std::runtime_error naming the path for a missing file or another kind of
// transform).
void write_transform(const std::string& path, const RigidTransform& transform);
RigidTransform read_transform(const std::string& path);

// Copies the NIfTI-1 file `in` to `out` (.nii or .nii.gz, atomically) with
// only its geometry changed: qform and sform both set from `geometry` (ITK's
// LPS turned to NIfTI's RAS), their codes kept (1, scanner, where one was
// 0), every other header field, the extensions and the voxel bytes as they
// were (same datatype, scaling, byte order). `geometry` must have the
// file's size and spacing (std::invalid_argument otherwise). in == out
// replaces the file. Throws std::runtime_error naming the path for a file
// that cannot be read or written.
void rewrite_nifti_geometry(const std::string& in, const std::string& out, const Geometry& geometry);

}  // namespace mcinr::io
