// `mcinr register --fixed A --moving B --out DIR`: B rigidly aligned to A
// (io/registration.hpp). Writes DIR/<B's name>, B with only its header
// corrected (the voxels as they were), and DIR/<B>_to_<A>.tfm, the
// transform (ITK's convention: fixed points to moving points).
// --check-only: the quick misalignment check, nothing written.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "mcinr/drivers/options.hpp"
#include "mcinr/io/registration.hpp"
#include "mcinr/pipeline/grids.hpp"
#include "mcinr/pipeline/volumes.hpp"

namespace po = boost::program_options;

namespace mcinr::drivers {

namespace {

// The file name without .nii.gz / .nii.
std::string stem(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* tail : {".nii.gz", ".nii"}) {
    const std::size_t n = std::char_traits<char>::length(tail);
    if (name.size() > n && name.compare(name.size() - n, n, tail) == 0) return name.substr(0, name.size() - n);
  }
  return name;
}

void require_nifti_name(const std::string& path, const char* option) {
  const std::string name = std::filesystem::path(path).filename().string();
  require(stem(path) != name, std::string(option) + " " + path + ": the name must end in .nii or .nii.gz");
}

void require_not_constant(const io::Volume& v, const std::string& path) {
  const auto [lo, hi] = std::minmax_element(v.voxels.begin(), v.voxels.end());
  require(lo != v.voxels.end() && *lo < *hi, path + ": the image is constant: nothing to align");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int run_register(const std::vector<std::string>& args) {
  std::string fixed_path, moving_path, out, start = "header";
  bool overwrite = false, check_only = false;
  unsigned seed = 1;
  po::options_description options(
      "mcinr register: align the moving scan to the fixed one (rigid, Mattes mutual information); writes\n"
      "DIR/<moving's name> (the moving scan with its header corrected, voxels unchanged) and\n"
      "DIR/<moving>_to_<fixed>.tfm (ITK transform: fixed-space points to moving-space points)");
  // clang-format off
  options.add_options()("help,h", "show this help")
      ("fixed", po::value(&fixed_path)->required(), "the scan that stays (NIfTI)")
      ("moving", po::value(&moving_path)->required(), "the scan whose header is corrected (NIfTI)")
      ("out", po::value(&out), "output folder (made if missing)")
      ("check-only", po::bool_switch(&check_only), "only the quick misalignment check; writes nothing")
      ("start", po::value(&start)->default_value(start),
       "header (the headers share a world: one session), centres (field-of-view centres) or moments")
      ("seed", po::value(&seed)->default_value(seed), "seed of the voxel sampling")
      ("overwrite", po::bool_switch(&overwrite), "replace the outputs of an earlier register in --out");
  // clang-format on
  po::variables_map vm;
  if (!parse_command(options, args, vm)) return 0;
  require(check_only || !out.empty(), "give --out DIR (or --check-only)");
  io::RegistrationOptions settings;
  settings.seed = seed;
  if (start == "header")
    settings.start = io::RigidStart::header;
  else if (start == "centres" || start == "centers")
    settings.start = io::RigidStart::centres;
  else if (start == "moments")
    settings.start = io::RigidStart::moments;
  else
    throw InputError("unknown --start '" + start + "' (header, centres or moments)");

  std::string out_nifti, out_tfm;
  if (!check_only) {
    require_nifti_name(moving_path, "--moving");
    out_nifti = (std::filesystem::path(out) / std::filesystem::path(moving_path).filename()).string();
    out_tfm = (std::filesystem::path(out) / (stem(moving_path) + "_to_" + stem(fixed_path) + ".tfm")).string();
    require(!std::filesystem::exists(out) || std::filesystem::is_directory(out), out + ": not a folder");
    // The folder is made only once the work is done; its nearest existing
    // ancestor must let us make it.
    std::filesystem::path existing = std::filesystem::absolute(out);
    while (!std::filesystem::exists(existing) && existing.has_parent_path() && existing != existing.parent_path())
      existing = existing.parent_path();
    require(std::filesystem::is_directory(existing) && ::access(existing.c_str(), W_OK) == 0,
            out + ": cannot create the output folder (" + existing.string() + " is not a writable folder)");
    for (const std::string& path : {out_nifti, out_tfm}) {
      pipeline::require_not_input(path, {fixed_path, moving_path});
      require(overwrite || !std::filesystem::exists(path), path + " exists: choose another --out, or give --overwrite");
    }
  }

  const io::Volume fixed = pipeline::read_finite_volume(fixed_path);
  const io::Volume moving = pipeline::read_finite_volume(moving_path);
  require_not_constant(fixed, fixed_path);
  require_not_constant(moving, moving_path);
  const auto fa = pipeline::world_box(fixed.geometry), mb = pipeline::world_box(moving.geometry);
  for (int d = 0; d < 3; ++d)
    require(std::min(fa[3 + d], mb[3 + d]) >= std::max(fa[d], mb[d]),
            fixed_path + " and " + moving_path + " do not overlap in world space (axis " + std::to_string(d) + ")");
  std::printf("fixed  %s: %s\nmoving %s: %s\n", fixed_path.c_str(), fixed.geometry.summary().c_str(),
              moving_path.c_str(), moving.geometry.summary().c_str());
  std::fflush(stdout);

  auto clock = std::chrono::steady_clock::now();
  const io::AlignmentCheck check = io::check_alignment(fixed, moving);
  std::printf("alignment check (%.1f s): %s\n", seconds_since(clock), check.summary().c_str());
  if (check_only) return 0;
  std::fflush(stdout);

  clock = std::chrono::steady_clock::now();
  const io::RigidTransform t = io::register_rigid(fixed, moving, settings);
  const double seconds = seconds_since(clock);
  const double before = io::mutual_information(fixed, moving), after = io::mutual_information(fixed, moving, t);
  const auto degrees = t.angles_degrees();
  std::printf(
      "registered in %.1f s: rotation %.3f %.3f %.3f degrees about x y z (%.3f in all), translation %.3f "
      "%.3f %.3f mm (world LPS, about the centre %.1f %.1f %.1f mm)\n",
      seconds, degrees[0], degrees[1], degrees[2], t.rotation_degrees(), t.translation[0], t.translation[1],
      t.translation[2], t.center[0], t.center[1], t.center[2]);
  std::printf("mutual information %.4f -> %.4f nats\n", before, after);

  try {
    std::filesystem::create_directories(out);
  } catch (const std::filesystem::filesystem_error& e) {
    throw InputError(out + ": cannot create the output folder (" + e.code().message() + ")");
  }
  io::rewrite_nifti_geometry(moving_path, out_nifti, io::corrected_geometry(moving.geometry, t));
  io::write_transform(out_tfm, t);
  std::printf("wrote %s (header corrected, voxels unchanged), %s\n", out_nifti.c_str(), out_tfm.c_str());
  return 0;
}

}  // namespace mcinr::drivers
