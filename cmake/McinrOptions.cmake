# User-facing build options. Each one is echoed at configure time.
include(GNUInstallDirs)
option(MCINR_ENABLE_TESTS "Build the Catch2 test suite" ON)
option(MCINR_ENABLE_IO "Build io/ and the file-based subcommands (needs ITK, HDF5)" ON)
option(MCINR_ENABLE_DRIVERS "Build the mcinr command and the bench" ON)
set(MCINR_GEMM_PROVIDER "KokkosKernels" CACHE STRING "GEMM provider behind backends/gemm.hpp: KokkosKernels or CBLAS (host only)")
set_property(CACHE MCINR_GEMM_PROVIDER PROPERTY STRINGS KokkosKernels CBLAS)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

# AddressSanitizer + UndefinedBehaviorSanitizer for every mcinr target (the
# Debian libraries it links stay uninstrumented). Any UB report aborts, so a
# test that meets one fails. docs/reliability.md says how CI uses it.
option(MCINR_SANITIZE "Build with -fsanitize=address,undefined (tests fail on any report)" OFF)
option(MCINR_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang; implies MCINR_SANITIZE)" OFF)
if(MCINR_FUZZ)
  set(MCINR_SANITIZE ON CACHE BOOL "" FORCE)
endif()
if(MCINR_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)  # coverage for libFuzzer; the targets link -fsanitize=fuzzer
  # Debian's ITK header refuses any compiler but GCC: a shim lets clang through.
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:SHELL:-include ${PROJECT_SOURCE_DIR}/tests/fuzz/itk_clang_shim.h>")
endif()
if(MCINR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
endif()

message(STATUS "mcinr: sanitize=${MCINR_SANITIZE} fuzz=${MCINR_FUZZ}")
message(STATUS "mcinr: tests=${MCINR_ENABLE_TESTS} io=${MCINR_ENABLE_IO} drivers=${MCINR_ENABLE_DRIVERS} gemm=${MCINR_GEMM_PROVIDER} build=${CMAKE_BUILD_TYPE}")
