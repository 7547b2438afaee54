#pragma once
#include <string>
#include <vector>

namespace mcinr::drivers {
// `mcinr evaluate --pred P --gt G [--mask M] [--out F.json]`: PSNR and SSIM
// with the reference's definitions.
int run_evaluate(const std::vector<std::string>& args);
// `mcinr mi A B [--mask M] [--bins 32]`: histogram mutual information, nats.
int run_mi(const std::vector<std::string>& args);
}  // namespace mcinr::drivers
