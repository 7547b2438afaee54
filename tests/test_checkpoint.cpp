// io: atomic files (nothing partial, nothing left over, never through a
// planted link) and HDF5 checkpoints (a round trip of every field, the
// encoding's record included, and damaged files refused).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <hdf5.h>

#include "mcinr/io/atomic_file.hpp"
#include "mcinr/io/checkpoint.hpp"

namespace fs = std::filesystem;
using namespace mcinr::io;

namespace {
fs::path fresh_dir(const char* name) {
  const fs::path dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("atomic files replace the target whole and leave nothing behind", "[io][atomic]") {
  const fs::path dir = fresh_dir("mcinr_atomic");
  const fs::path target = dir / "table.csv";
  write_file_atomically(target.string(), "one\n");
  write_file_atomically(target.string(), "two\n");
  CHECK(read(target) == "two\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0444) == 0444);  // readable as an ordinary file, not mkstemp's 0600
  {
    AtomicFile abandoned(target.string());
    abandoned.write("three\n");
  }  // never committed
  CHECK(read(target) == "two\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  // The temporary names are unpredictable and created exclusively: a link
  // planted under an old-style name redirects nothing.
  const fs::path outside = dir / "outside.txt";
  std::ofstream(outside) << "keep";
  fs::create_symlink(outside, dir / (".table.csv.tmp" + std::to_string(::getpid())));
  write_file_atomically(target.string(), "four\n");
  CHECK(read(outside) == "keep");
  CHECK(read(target) == "four\n");
  {
    // The temporary file lies in a private folder (0700) beside the target,
    // under the suffix a format library needs; both go when it is done.
    AtomicFile open_file((dir / "volume.nii.gz").string(), ".nii.gz");
    const fs::path temporary(open_file.temporary_path());
    CHECK(temporary.parent_path().parent_path() == dir);
    CHECK(temporary.filename() == "partial.nii.gz");
    struct stat folder {};
    REQUIRE(::stat(temporary.parent_path().c_str(), &folder) == 0);
    CHECK((folder.st_mode & 0777) == 0700);
    open_file.write("five\n");
    open_file.commit();
    CHECK(!fs::exists(temporary.parent_path()));
  }
  CHECK(read(dir / "volume.nii.gz") == "five\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 4);  // table, outside, the link, volume
  CHECK_THROWS_WITH(write_file_atomically((dir / "absent" / "x.csv").string(), "x"), Catch::StartsWith("cannot write"));
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint round-trips every field", "[io][checkpoint]") {
  const fs::path dir = fresh_dir("mcinr_checkpoint");
  Checkpoint c;
  c.model = "split-head";
  c.settings = {{"hidden", 64}, {"lr", 4e-4}};
  c.inputs = {"/a/b c.nii.gz", "/d.nii.gz"};
  c.input_hashes = {0x0123456789abcdefull, 42};
  c.seed = 12;
  c.epochs_done = 3;
  c.next_batch = 17;
  c.epoch_loss_sum = 1.25;
  c.adam_steps = 99;
  c.parameters = {1, 2, 3};
  c.adam_m = {0.1f, 0.2f, 0.3f};
  c.adam_v = {0.01f, 0.02f, 0.03f};
  c.encoding.kind = "learned-scale";
  c.encoding.attributes = {{"features", 2}, {"scale", 1.5}};
  c.encoding.arrays["matrix"] = {{2, 3}, {1, 2, 3, 4, 5, 6}};
  c.encoding.parameters = {0.5f, 0.25f};
  c.encoding.adam_m = {1, 2};
  c.encoding.adam_v = {3, 4};
  c.encoding.adam_steps = 5;
  c.domain_lo = -120;
  c.domain_hi = 119;
  c.domain_ras = true;
  c.intensity_lo = {0, 1};
  c.intensity_hi = {100, 200};
  c.grid.size = {4, 5, 6};
  c.grid.spacing = {1, 2, 3};
  c.grid.origin = {7, 8, 9};
  c.mi_window = {0.2, 0.21};
  c.mi_previous = 0.01;
  c.mi_has_previous = true;
  c.stop_reason = "mi";
  c.metric_columns = {"epoch", "loss"};
  c.metric_rows = {{1, 0.5}, {2, 0.25}};
  const std::string path = (dir / "checkpoint.h5").string();
  write_checkpoint(path, c);
  const Checkpoint r = read_checkpoint(path);
  CHECK(r.model == c.model);
  CHECK(r.settings == c.settings);
  CHECK(r.inputs == c.inputs);
  CHECK(r.input_hashes == c.input_hashes);
  CHECK(r.seed == 12);
  CHECK(r.epochs_done == 3);
  CHECK(r.next_batch == 17);
  CHECK(r.epoch_loss_sum == 1.25);
  CHECK(r.adam_steps == 99);
  CHECK(r.parameters == c.parameters);
  CHECK(r.adam_v == c.adam_v);
  CHECK(r.encoding.kind == "learned-scale");
  CHECK(r.encoding.attributes == c.encoding.attributes);
  CHECK(r.encoding.arrays.at("matrix").shape == std::vector<std::size_t>{2, 3});
  CHECK(r.encoding.arrays.at("matrix").values == c.encoding.arrays.at("matrix").values);
  CHECK(r.encoding.parameters == c.encoding.parameters);
  CHECK(r.encoding.adam_v == c.encoding.adam_v);
  CHECK(r.encoding.adam_steps == 5);
  CHECK(r.grid.size == c.grid.size);
  CHECK(r.grid.spacing == c.grid.spacing);
  CHECK(r.mi_window == c.mi_window);
  CHECK(r.mi_has_previous);
  CHECK(r.stop_reason == "mi");
  CHECK(r.metric_rows == c.metric_rows);
  CHECK(r.domain_lo == -120);
  CHECK(r.domain_hi == 119);
  CHECK(r.domain_ras);
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);

  // The domain's axes: absent (checkpoints before 2026-11-26) means the LPS
  // range on every axis; anything but 0 or 1 is refused.
  {
    const fs::path old = dir / "old_domain.h5";
    fs::copy_file(path, old);
    hid_t file = H5Fopen(old.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    REQUIRE(H5Ldelete(file, "/field/domain_axes", H5P_DEFAULT) >= 0);
    H5Fclose(file);
    CHECK_FALSE(read_checkpoint(old.string()).domain_ras);
    const fs::path bad = dir / "bad_domain.h5";
    fs::copy_file(path, bad);
    file = H5Fopen(bad.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    hid_t set = H5Dopen2(file, "/field/domain_axes", H5P_DEFAULT);
    const std::uint64_t two = 2;
    REQUIRE(H5Dwrite(set, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &two) >= 0);
    H5Dclose(set);
    H5Fclose(file);
    CHECK_THROWS_WITH(read_checkpoint(bad.string()), Catch::Contains("bad domain axes"));
    fs::remove(old);
    fs::remove(bad);
  }

  // Size bombs: a dataset or a string type declaring far more than the file
  // holds (HDF5 allocates no storage for a dataset never written) is refused
  // before anything is allocated.
  {
    const fs::path bomb = dir / "bomb.h5";
    fs::copy_file(path, bomb);
    hid_t file = H5Fopen(bomb.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    REQUIRE(H5Ldelete(file, "/state/parameters", H5P_DEFAULT) >= 0);
    const hsize_t huge = 64000000000ull;  // 256 GB of float
    hid_t space = H5Screate_simple(1, &huge, nullptr);
    hid_t set = H5Dcreate2(file, "/state/parameters", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(set >= 0);
    H5Dclose(set);
    H5Sclose(space);
    H5Fclose(file);
    CHECK(fs::file_size(bomb) < 100000);
    CHECK_THROWS_WITH(
        read_checkpoint(bomb.string()),
        Catch::Contains("/state/parameters declares 256 GB, more than the") && Catch::Contains("file holds"));
  }
  {
    const fs::path bomb = dir / "string_bomb.h5";
    fs::copy_file(path, bomb);
    hid_t file = H5Fopen(bomb.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    REQUIRE(H5Ldelete(file, "/config/model", H5P_DEFAULT) >= 0);
    hid_t type = H5Tcopy(H5T_C_S1);
    REQUIRE(H5Tset_size(type, 1ull << 30) >= 0);  // a 1 GB string
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t set = H5Dcreate2(file, "/config/model", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(set >= 0);
    H5Dclose(set);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
    CHECK_THROWS_WITH(read_checkpoint(bomb.string()), Catch::Contains("/config/model declares 1.07 GB"));
  }
  {
    // A count of 9e307 (found by fuzzing: converting it to an integer was
    // undefined behaviour) is refused as not a whole number in range.
    const fs::path edited = dir / "epochs.h5";
    fs::copy_file(path, edited);
    hid_t file = H5Fopen(edited.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    hid_t set = H5Dopen2(file, "/state/epochs_done", H5P_DEFAULT);
    const double huge = 9e307;
    REQUIRE(H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &huge) >= 0);
    H5Dclose(set);
    H5Fclose(file);
    CHECK_THROWS_WITH(read_checkpoint(edited.string()),
                      Catch::Contains("/state/epochs_done is not a whole number between 0 and 1000000"));
  }
  std::ofstream(dir / "garbage.h5") << "not hdf5";
  CHECK_THROWS_WITH(read_checkpoint((dir / "garbage.h5").string()),
                    Catch::EndsWith("not a valid mcinr checkpoint (not an HDF5 file)"));
  CHECK_THROWS_WITH(read_checkpoint((dir / "absent.h5").string()), Catch::EndsWith("no such checkpoint"));
  fs::remove_all(dir);
}
