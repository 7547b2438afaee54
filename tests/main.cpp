// Catch2 main that brings Kokkos up once for every test.
#define CATCH_CONFIG_RUNNER
#include <Kokkos_Core.hpp>
#include <iostream>
#include <string>

#include <catch2/catch.hpp>
#include "mcinr/backends/device_info.hpp"

int main(int argc, char* argv[]) {
  mcinr::backends::flush_subnormals();
  Kokkos::ScopeGuard kokkos(argc, argv);
  if (const std::string warning = mcinr::backends::prepare_host_blas(); !warning.empty()) std::cerr << warning << '\n';
  return Catch::Session().run(argc, argv);
}
