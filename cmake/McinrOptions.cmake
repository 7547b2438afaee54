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

message(STATUS "mcinr: tests=${MCINR_ENABLE_TESTS} io=${MCINR_ENABLE_IO} drivers=${MCINR_ENABLE_DRIVERS} gemm=${MCINR_GEMM_PROVIDER} build=${CMAKE_BUILD_TYPE}")
