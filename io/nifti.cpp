#include "mcinr/io/nifti.hpp"
#include "mcinr/io/detail/itk_image.hpp"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImportImageFilter.h>
#include <itkNiftiImageIO.h>

#include <nifti1_io.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>

namespace mcinr::io {

namespace {
using Image = itk::Image<float, 3>;

std::runtime_error error(const std::string& path, const std::string& reason) {
  return std::runtime_error(path + ": " + reason);
}
// Two things ITK 5.2 does not tell: its bundled niftilib replaces every NaN
// and infinite voxel of a float file by 0 while reading (nifti_read_buffer;
// fixed in ITK 6, PR #6683), and a file cut short (a truncated .nii.gz from
// an interrupted copy) reads without an error, the missing voxels left as
// whatever the buffer held. Both would hide bad input behind a valid-looking
// volume. So re-read the raw voxel bytes with niftilib's own file routines:
// refuse a file with fewer bytes than its header promises, and put the
// non-finite float voxels back so callers see what the file holds.
void check_voxel_data(const std::string& path, std::vector<float>& voxels) {
  nifti_image* header = nifti_image_read(path.c_str(), 0);
  if (!header) throw error(path, "unreadable NIfTI header");
  struct Free {
    nifti_image* h;
    ~Free() { nifti_image_free(h); }
  } free_header{header};
  const int type = header->datatype;
  const std::size_t width = std::size_t(header->nbyper);
  const std::size_t count = std::size_t(header->nvox);
  if (width == 0 || count != voxels.size()) throw error(path, "voxel count differs between header reads");
  znzFile file = znzopen(header->iname, "rb", nifti_is_gzfile(header->iname));
  if (znz_isnull(file)) throw error(path, "cannot open the voxel data");
  if (znzseek(file, header->iname_offset, SEEK_SET) < 0) {
    znzclose(file);
    throw error(path, "truncated: no voxel data after the header");
  }
  const bool is_float = type == DT_FLOAT32 || type == DT_FLOAT64;
  const bool swap = header->byteorder != nifti_short_order();
  std::vector<unsigned char> chunk(width * 65536);
  std::size_t done = 0;
  while (done < count) {
    const std::size_t want = std::min<std::size_t>(65536, count - done);
    const std::size_t got = znzread(chunk.data(), width, want, file);
    // niftilib's znzread hands zlib's -1 back as a huge size_t.
    if (got > want) {
      znzclose(file);
      throw error(path, "corrupt compressed data: zlib could not inflate it (damaged file)");
    }
    if (got == 0) break;
    if (is_float) {
      if (swap) {
        if (width == 4)
          nifti_swap_4bytes(got, chunk.data());
        else
          nifti_swap_8bytes(got, chunk.data());
      }
      for (std::size_t i = 0; i < got; ++i) {
        double value;
        if (width == 4) {
          float f;
          std::memcpy(&f, chunk.data() + 4 * i, 4);
          value = f;
        } else {
          std::memcpy(&value, chunk.data() + 8 * i, 8);
        }
        if (!std::isfinite(value)) voxels[done + i] = static_cast<float>(value);
      }
    }
    done += got;
  }
  // One more read reaches the end of a gzip stream, where zlib checks the
  // CRC of everything inflated: a bit flip that inflates to the right length
  // shows there.
  if (done == count) {
    unsigned char extra;
    if (znzread(&extra, 1, 1, file) > 1) {
      znzclose(file);
      throw error(path, "corrupt compressed data: its checksum does not match (damaged file)");
    }
  }
  znzclose(file);
  if (done < count)
    throw error(path,
                "truncated: the file holds " + std::to_string(done) + " of its " + std::to_string(count) + " voxels");
}

// ITK 5.2 aborts the process (a vnl assertion) on a NaN in the sform, so
// the header's geometry fields are checked before ITK sees them, as the
// file holds them (niftilib's nifti_image_read would zero some of them).
// Returns the bytes per voxel in the file.
int check_header_geometry(const std::string& path) {
  int swapped = 0;
  nifti_1_header* header = nifti_read_header(path.c_str(), &swapped, 0);
  if (!header) throw error(path, "unreadable NIfTI header");
  struct Free {
    nifti_1_header* h;
    ~Free() { std::free(h); }
  } free_header{header};
  // Analyze 7.5 (no NIfTI magic) has no defined orientation: the geometry
  // this tool exists to keep exact would be a guess.
  if (std::memcmp(header->magic, "n+1", 4) != 0 && std::memcmp(header->magic, "ni1", 4) != 0)
    throw error(path,
                "an Analyze 7.5 file, not NIfTI-1 (no NIfTI magic): its orientation is undefined; convert it "
                "to NIfTI with its true orientation");
  // Scalar voxel types only (niftilib would print its own complaint about an
  // unknown one before failing).
  switch (header->datatype) {
    case DT_UINT8:
    case DT_INT8:
    case DT_INT16:
    case DT_UINT16:
    case DT_INT32:
    case DT_UINT32:
    case DT_INT64:
    case DT_UINT64:
    case DT_FLOAT32:
    case DT_FLOAT64:
      break;
    default:
      throw error(path, "the header's datatype " + std::to_string(header->datatype) +
                            " is not a scalar voxel type (expected an integer or float type)");
  }
  // Finite, and within a kilometre: ITK's SVD of the direction never
  // converges on values like 1e38 (found by fuzzing: a hang).
  auto check = [&](const float* values, int count, const char* what) {
    for (int i = 0; i < count; ++i) {
      if (!std::isfinite(values[i]))
        throw error(path, std::string("the header's ") + what + " holds a value that is not a finite number");
      if (std::fabs(values[i]) > 1e6)
        throw error(path, std::string("the header's ") + what + " holds a value beyond 1e6 mm (damaged)");
    }
  };
  check(header->pixdim + 1, 3, "voxel spacing (pixdim)");
  if (header->sform_code > 0) {
    check(header->srow_x, 4, "sform");
    check(header->srow_y, 4, "sform");
    check(header->srow_z, 4, "sform");
  }
  const float quaternion[6] = {header->quatern_b, header->quatern_c, header->quatern_d,
                               header->qoffset_x, header->qoffset_y, header->qoffset_z};
  if (header->qform_code > 0) check(quaternion, 6, "qform");
  int width = 0, swap_size = 0;
  nifti_datatype_sizes(header->datatype, &width, &swap_size);
  return width;
}

}  // namespace

std::array<double, 3> Geometry::world(double i, double j, double k) const {
  const double index[3] = {i * spacing[0], j * spacing[1], k * spacing[2]};
  std::array<double, 3> p{};
  for (int r = 0; r < 3; ++r)
    p[r] = origin[r] + direction[3 * r] * index[0] + direction[3 * r + 1] * index[1] + direction[3 * r + 2] * index[2];
  return p;
}

std::array<double, 3> Geometry::continuous_index(const std::array<double, 3>& p) const {
  const double d[3] = {p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]};
  std::array<double, 3> x{};
  for (int a = 0; a < 3; ++a)
    x[a] = (direction[a] * d[0] + direction[3 + a] * d[1] + direction[6 + a] * d[2]) / spacing[a];
  return x;
}

std::string Geometry::orientation_code() const {
  static const char positive[3] = {'R', 'A', 'S'}, negative[3] = {'L', 'P', 'I'};
  std::string code;
  for (int c = 0; c < 3; ++c) {
    // Column c in RAS: ITK's world is LPS, so x and y change sign.
    const double ras[3] = {-direction[c], -direction[3 + c], direction[6 + c]};
    int axis = 0;
    for (int r = 1; r < 3; ++r)
      if (std::fabs(ras[r]) > std::fabs(ras[axis])) axis = r;
    code += ras[axis] >= 0 ? positive[axis] : negative[axis];
  }
  return code;
}

std::string Geometry::summary() const {
  auto mm = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", v);
    return std::string(text);
  };
  std::string text = std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" + std::to_string(size[2]) + ", " +
                     mm(spacing[0]) + " x " + mm(spacing[1]) + " x " + mm(spacing[2]) + " mm, " + orientation_code();
  const int thick = thickest_axis();
  if (anisotropic())
    text += ", thick axis " + std::to_string(thick + 1) + " (" + mm(spacing[thick]) + " mm)";
  else
    text += ", isotropic";
  text += ", field of view " + mm(double(size[0]) * spacing[0]) + " x " + mm(double(size[1]) * spacing[1]) + " x " +
          mm(double(size[2]) * spacing[2]) + " mm";
  return text;
}

Volume read_nifti(const std::string& path, std::uint64_t max_bytes) {
  // niftilib and ITK print their own complaints on stderr; ours is the one
  // error line (the reasons come back through exceptions and checks).
  static const bool quiet = [] {
    nifti_set_debug_level(0);
    itk::Object::GlobalWarningDisplayOff();
    return true;
  }();
  (void)quiet;
  if (!std::filesystem::is_regular_file(path)) throw error(path, "no such file");
  auto nifti = itk::NiftiImageIO::New();
  if (!nifti->CanReadFile(path.c_str())) throw error(path, "not a NIfTI file");
  const int file_width = check_header_geometry(path);
  nifti->SetFileName(path);
  try {
    nifti->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw error(path, std::string("unreadable NIfTI header: ") + e.GetDescription());
  }
  const unsigned dims = nifti->GetNumberOfDimensions();
  if (dims < 3 || (dims > 3 && nifti->GetDimensions(3) > 1) || (dims > 4))
    throw error(path, "expected a 3D image, found " + std::to_string(dims) + " dimensions");
  if (nifti->GetNumberOfComponents() != 1) throw error(path, "expected one value per voxel");
  // Sizes from the header are checked against the file before anything is
  // allocated: a few bytes of header must not make us reserve gigabytes.
  {
    double voxels = 1;
    for (unsigned d = 0; d < std::min(dims, 3u); ++d) voxels *= double(nifti->GetDimensions(d));
    // The bytes per voxel in the file: ITK reports float for an integer
    // file with a scaling (scl_slope), which it converts as it reads.
    const double width = double(file_width);
    const double file_bytes = double(std::filesystem::file_size(path));
    auto gb = [](double bytes) {
      char text[32];
      std::snprintf(text, sizeof text, bytes < 1e12 ? "%.3g GB" : "%.0f GB", bytes / 1e9);
      return std::string(text);
    };
    if (voxels > 2e9)
      throw error(path, "the header declares " + std::to_string(std::uint64_t(voxels)) +
                            " voxels, above 2e9 (reading it would need " + gb(voxels * (width + 8)) + ")");
    // ITK's buffer, our copy and niftilib's read of the raw bytes.
    const double needed = voxels * (8 + width);
    if (max_bytes > 0 && needed > double(max_bytes))
      throw error(path, "reading it would need " + gb(needed) + " of memory, more than the " + gb(double(max_bytes)) +
                            " this process may use");
    const bool gzipped = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    if (!gzipped && file_bytes < 352 + voxels * width)
      throw error(path, "truncated: the file holds " +
                            std::to_string(std::uint64_t(std::max(0.0, (file_bytes - 352) / width))) + " of its " +
                            std::to_string(std::uint64_t(voxels)) + " voxels");
    // Deflate cannot compress more than 1032:1.
    if (gzipped && voxels * width > 1032.0 * file_bytes + 1e6)
      throw error(path, "the header declares " + gb(voxels * width) + " of voxels, more than a " +
                            std::to_string(std::uint64_t(file_bytes)) +
                            "-byte gzip file can hold: truncated or damaged");
  }
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetImageIO(nifti);
  reader->SetFileName(path);
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    throw error(path, std::string("cannot read: ") + e.GetDescription());
  }
  const Image* image = reader->GetOutput();
  Volume volume;
  const auto region = image->GetLargestPossibleRegion();
  for (int d = 0; d < 3; ++d) {
    volume.geometry.size[d] = region.GetSize()[d];
    volume.geometry.spacing[d] = image->GetSpacing()[d];
    volume.geometry.origin[d] = image->GetOrigin()[d];
    for (int c = 0; c < 3; ++c) volume.geometry.direction[3 * d + c] = image->GetDirection()(d, c);
  }
  const float* buffer = image->GetBufferPointer();
  volume.voxels.assign(buffer, buffer + volume.geometry.voxels());
  check_voxel_data(path, volume.voxels);
  return volume;
}

VoxelType parse_voxel_type(const std::string& name) {
  if (name == "float32") return VoxelType::float32;
  if (name == "int16") return VoxelType::int16;
  if (name == "uint8") return VoxelType::uint8;
  throw std::invalid_argument("unknown voxel type '" + name + "' (expected float32, int16 or uint8)");
}

std::string to_string(VoxelType type) {
  switch (type) {
    case VoxelType::int16:
      return "int16";
    case VoxelType::uint8:
      return "uint8";
    default:
      return "float32";
  }
}

namespace {

// The volume as an ITK image of integer pixels: rounded, clamped to the type.
template <class Pixel>
typename itk::Image<Pixel, 3>::Pointer integer_image(const Volume& v) {
  using Out = itk::Image<Pixel, 3>;
  const auto floats = detail::to_itk_image(v);
  auto image = Out::New();
  image->SetRegions(floats->GetLargestPossibleRegion());
  image->SetSpacing(floats->GetSpacing());
  image->SetOrigin(floats->GetOrigin());
  image->SetDirection(floats->GetDirection());
  image->Allocate();
  constexpr double lo = double(std::numeric_limits<Pixel>::lowest()), hi = double(std::numeric_limits<Pixel>::max());
  Pixel* out = image->GetBufferPointer();
  for (std::size_t i = 0; i < v.voxels.size(); ++i) {
    const double x = std::isfinite(v.voxels[i]) ? std::nearbyint(double(v.voxels[i])) : 0.0;
    out[i] = Pixel(std::clamp(x, lo, hi));
  }
  return image;
}

}  // namespace

void write_nifti(const std::string& path, const Volume& volume, VoxelType type) {
  const Geometry& g = volume.geometry;
  if (volume.voxels.size() != g.voxels()) throw error(path, "voxel count does not match the geometry");

  // Keep the NIfTI suffix on the temporary name: ITK picks compression by it.
  std::string suffix = ".nii";
  if (path.size() >= 7 && path.compare(path.size() - 7, 7, ".nii.gz") == 0)
    suffix = ".nii.gz";
  else if (path.size() < 4 || path.compare(path.size() - 4, 4, ".nii") != 0)
    throw error(path, "output name must end in .nii or .nii.gz");
  // Check the folder first: niftilib would print its own error lines.
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string folder = parent.empty() ? "." : parent.string();
  if (!std::filesystem::is_directory(folder)) throw error(path, "no such folder " + folder);
  if (::access(folder.c_str(), W_OK) != 0) throw error(path, "folder " + folder + " is not writable");
  auto format = itk::NiftiImageIO::New();
  switch (type) {
    case VoxelType::int16: {
      const auto image = integer_image<std::int16_t>(volume);
      detail::write_itk_atomically<itk::Image<std::int16_t, 3>>(path, suffix, image.GetPointer(), format);
      break;
    }
    case VoxelType::uint8: {
      const auto image = integer_image<std::uint8_t>(volume);
      detail::write_itk_atomically<itk::Image<std::uint8_t, 3>>(path, suffix, image.GetPointer(), format);
      break;
    }
    default: {
      const auto image = detail::to_itk_image(volume);
      detail::write_itk_atomically<Image>(path, suffix, image.GetPointer(), format);
    }
  }
}

}  // namespace mcinr::io
