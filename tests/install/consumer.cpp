// Uses the installed headers and libraries: one forward pass of a small field.
#include <Kokkos_Core.hpp>
#include <core/fourier_encoding.hpp>
#include <core/mlp.hpp>
#include <cstdio>
#include <mcinr/version.hpp>

int main(int argc, char* argv[]) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  mcinr::FourierEncoding<float> encoding(8, 2.0, 1);
  mcinr::MlpConfig config;
  config.input_dim = encoding.output_dim();
  config.hidden = 16;
  config.layers = 1;
  config.head_hidden = 8;
  mcinr::Mlp<float> mlp(config, 4);
  mlp.initialize(1);
  mcinr::Matrix<float> coords("coords", 3, 4), encoded("encoded", encoding.output_dim(), 4);
  encoding.encode(coords, encoded);
  mlp.forward(encoded, mcinr::BatchSplit::whole(4, 2), false);
  Kokkos::fence();
  std::printf("mcinr %s consumer: %zu parameters\n", MCINR_VERSION_STRING, mlp.parameter_count());
  return 0;
}
