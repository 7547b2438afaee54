# Records the version and git hash in a generated header (mcinr/version.hpp).
set(MCINR_GIT_HASH "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    OUTPUT_VARIABLE MCINR_GIT_HASH OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET RESULT_VARIABLE _mcinr_git_rc)
  if(NOT _mcinr_git_rc EQUAL 0)
    set(MCINR_GIT_HASH "unknown")
  endif()
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/version.hpp.in"
  "${PROJECT_BINARY_DIR}/generated/mcinr/version.hpp" @ONLY)
