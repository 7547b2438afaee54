// Uses the installed headers and libraries: where mcinr was built with io/
// (ITK, HDF5), writes two small phantom volumes, prepares a subject and fits
// it through the library call the mcinr command makes; else one forward
// pass of a small field.
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mcinr/core/field.hpp>
#include <mcinr/pipeline/demo.hpp>
#include <mcinr/version.hpp>
#include <string>

#ifdef MCINR_HAVE_NIFTI
#include <mcinr/core/phantom.hpp>
#include <mcinr/pipeline/prepare.hpp>
#include <mcinr/pipeline/subject_fit.hpp>
#endif

int main(int argc, char* argv[]) {
  Kokkos::ScopeGuard kokkos(argc, argv);
#ifdef MCINR_HAVE_NIFTI
  const std::string dir = argc > 1 ? argv[1] : "consumer-fit";
  const int n = 16;
  std::string hr[2];
  for (int c = 0; c < 2; ++c) {
    mcinr::io::Volume v;
    v.geometry.size = {n, n, n};
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          v.voxels.push_back(float(100 * mcinr::phantom::value<double>(c, i / 8.0 - 1, j / 8.0 - 1, k / 8.0 - 1)));
    hr[c] = dir + "-hr" + std::to_string(c) + ".nii.gz";
    mcinr::io::write_nifti(hr[c], v);
  }
  mcinr::pipeline::PrepareRequest prepare;
  prepare.id = "p";
  prepare.hr = {hr[0], hr[1]};
  prepare.contrast = {"a", "b"};
  prepare.out = dir + "/subject";
  prepare.overwrite = true;  // made again on every run
  mcinr::pipeline::prepare_subject(prepare);
  mcinr::pipeline::FitConfig config;
  config.subject = prepare.out;
  config.contrasts = "a,b";
  config.out = dir + "/fit";
  config.field.mlp.hidden = 16;
  config.field.mlp.layers = 1;
  config.field.encoding.fourier_features = 8;
  config.train.epochs = 2;
  config.train.batch_size = 200;
  mcinr::pipeline::FitObserver quiet;
  std::filesystem::remove_all(config.out);
  const mcinr::pipeline::FitOutcome outcome = mcinr::pipeline::fit_subject(config, quiet);
  std::printf("mcinr %s consumer: fitted %d epochs, PSNR %.2f / %.2f dB\n", MCINR_VERSION_STRING, outcome.epochs_done,
              outcome.final_scores->psnr[0], outcome.final_scores->psnr[1]);
#else
  mcinr::EncodingConfig encoding;
  encoding.fourier_features = 8;
  mcinr::MlpConfig mlp;
  mlp.hidden = 16;
  mlp.layers = 1;
  mlp.head_hidden = 8;
  mcinr::Field<float> field(mcinr::make_encoding<float>(encoding, 1), mlp, 4);
  field.mlp().initialize(1);
  mcinr::Matrix<float> coords("coords", 3, 4), out("out", 4, 2);
  field.predict(coords, out);
  std::printf("mcinr %s consumer: %zu parameters\n", MCINR_VERSION_STRING, field.parameter_count());
#endif
  return 0;
}
