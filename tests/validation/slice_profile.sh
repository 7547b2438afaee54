#!/usr/bin/env bash
# The slice-profile forward model on scans with a real slab profile: the
# shared subject's t1c and t2f degraded with a Gaussian profile (FWHM 4 mm,
# `mcinr prepare --profile gaussian`), fitted point-sampled and
# profile-aware with otherwise the same settings, beside linear
# interpolation (docs/quality.md).
#   tests/validation/slice_profile.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir} out=${2:?output dir}
b=$(cd "$(dirname "$0")/../../.." && pwd)/shared/data/brats2023-gli-00001-000/BraTS-GLI-00001-000
[ -f "$b-t1c.nii.gz" ] || { echo "skipped: ../shared is absent"; exit 0; }
mcinr=$build/drivers/mcinr
mkdir -p "$out"
[ -d "$out/gaussian" ] || "$mcinr" prepare --subject-id g --hr1 "$b-t1c.nii.gz" --hr2 "$b-t2f.nii.gz" --c1 t1c --c2 t2f \
  --profile gaussian --pad-to 160 --out "$out/gaussian"
common="--hidden 256 --layers 4 --head-hidden 128 --fourier-features 128 --batch-size 1000 --lr 4e-4 --mask-margin 3
        --epochs 1000 --eval-every 1000 --fast-evaluation --clamp --time-budget 540"
for profile in point gaussian; do
  # shellcheck disable=SC2086
  [ -f "$out/fit-$profile/summary.json" ] ||
    "$mcinr" fit --subject "$out/gaussian" --contrasts t1c,t2f $common --slice-profile $profile --out "$out/fit-$profile" \
      > "$out/fit-$profile.log"
  echo "== --slice-profile $profile"
  tail -n 6 "$out/fit-$profile.log"
done
