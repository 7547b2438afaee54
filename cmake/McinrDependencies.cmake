# Finds every dependency and wraps each in one target, so the rest of the
# build never cares where it came from.
#
# Kokkos / Kokkos Kernels come from one of two places:
#  * a standalone Kokkos 4.x install (HPC sites: -DKokkos_ROOT=... with
#    OpenMP, CUDA or HIP enabled; KokkosKernels_ROOT likewise), which exports
#    Kokkos::kokkos and Kokkos::kokkoskernels;
#  * Debian's Trilinos packaging of 3.4.1 (libtrilinos-kokkos*-dev), whose
#    targets are trilinos_kokkoscore / trilinos_kokkoskernels with headers in
#    /usr/include/trilinos; its Kokkos::kokkos names a missing include dir.
find_package(Kokkos REQUIRED)
find_package(KokkosKernels REQUIRED)

add_library(mcinr_kokkos INTERFACE)
add_library(mcinr::kokkos ALIAS mcinr_kokkos)
if(TARGET trilinos_kokkoscore)
  set(MCINR_KOKKOS_FLAVOUR "Trilinos-packaged Kokkos ${Kokkos_VERSION}")
  target_include_directories(mcinr_kokkos SYSTEM INTERFACE ${KokkosKernels_INCLUDE_DIRS})
  target_link_libraries(mcinr_kokkos INTERFACE trilinos_kokkoskernels trilinos_kokkoscore)
elseif(TARGET Kokkos::kokkos AND TARGET Kokkos::kokkoskernels)
  set(MCINR_KOKKOS_FLAVOUR "standalone Kokkos ${Kokkos_VERSION}")
  target_link_libraries(mcinr_kokkos INTERFACE Kokkos::kokkos Kokkos::kokkoskernels)
else()
  message(FATAL_ERROR "mcinr: found Kokkos ${Kokkos_VERSION} but neither the Trilinos "
    "targets (trilinos_kokkoscore) nor Kokkos::kokkos + Kokkos::kokkoskernels. "
    "Point Kokkos_ROOT and KokkosKernels_ROOT at a Kokkos 4.x install.")
endif()
message(STATUS "mcinr: ${MCINR_KOKKOS_FLAVOUR}, devices: ${Kokkos_DEVICES}")

# Host BLAS. Kokkos Kernels' BLAS TPL runs it on host spaces; we link it too
# so that device_info can report OpenBLAS's configuration and threads.
set(MCINR_HAVE_OPENBLAS OFF)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS QUIET)
unset(BLA_VENDOR)
if(BLAS_FOUND)
  set(MCINR_HAVE_OPENBLAS ON)
  message(STATUS "mcinr: OpenBLAS: ${BLAS_LIBRARIES}")
else()
  message(STATUS "mcinr: OpenBLAS not found; host GEMMs use whatever BLAS Kokkos Kernels was built with")
endif()

find_package(nlohmann_json 3 REQUIRED)

if(MCINR_ENABLE_IO)
  find_package(HDF5 REQUIRED COMPONENTS C)
  # The ITK modules io/ uses (mcinrConfig.cmake asks for the same list):
  # images, NIfTI and PNG files, resampling; head masks (Otsu threshold);
  # rigid registration (v4 framework,
  # Mattes MI, optimizers, transforms and their .tfm files).
  set(MCINR_ITK_COMPONENTS ITKCommon ITKIOImageBase ITKIONIFTI ITKIOPNG ITKImageGrid ITKImageFunction
      ITKThresholding
      ITKRegistrationMethodsv4 ITKMetricsv4 ITKOptimizersv4 ITKTransform ITKTransformFactory ITKSmoothing
      ITKImageStatistics ITKIOTransformBase ITKIOTransformInsightLegacy)
  find_package(ITK REQUIRED COMPONENTS ${MCINR_ITK_COMPONENTS})
  find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-256 of input files (io/file_hash)
  find_package(PNG 1.6.31 REQUIRED)  # the simplified API's png_image_write_to_memory
  message(STATUS "mcinr: HDF5 ${HDF5_VERSION}, ITK ${ITK_VERSION}, libpng ${PNG_VERSION_STRING}")
endif()

if(MCINR_ENABLE_DRIVERS)
  find_package(Boost 1.71 REQUIRED COMPONENTS program_options)
endif()

if(MCINR_ENABLE_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
