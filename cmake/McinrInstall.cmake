# Exported CMake package: find_package(mcinr) gives mcinr::types,
# mcinr::backends, mcinr::core, mcinr::io, and where io/ is built with ITK
# and HDF5 also mcinr::pipeline and mcinr::cohort. Headers install under
# include/mcinr/<room>/ and are included as <mcinr/<room>/<file>.hpp>.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MCINR_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/mcinr")
set(_mcinr_targets mcinr_kokkos mcinr_types mcinr_backends mcinr_core mcinr_io mcinr_pipeline)
if(TARGET mcinr_cohort)
  list(APPEND _mcinr_targets mcinr_cohort)
endif()
install(TARGETS ${_mcinr_targets} EXPORT mcinrTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT mcinrTargets NAMESPACE mcinr:: DESTINATION ${MCINR_INSTALL_CMAKEDIR})
foreach(_dir backends core io pipeline cohort)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${_dir}/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/mcinr/${_dir}"
    FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES "${PROJECT_BINARY_DIR}/generated/mcinr/version.hpp" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/mcinr")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/mcinrConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/mcinrConfig.cmake" INSTALL_DESTINATION ${MCINR_INSTALL_CMAKEDIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/mcinrConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/mcinrConfig.cmake" "${PROJECT_BINARY_DIR}/mcinrConfigVersion.cmake"
  DESTINATION ${MCINR_INSTALL_CMAKEDIR})
