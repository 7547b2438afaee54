#!/usr/bin/env bash
# The slice-profile forward model on scans with a real slab profile: the
# shared subject's t1c and t2f degraded with a Gaussian profile (FWHM 4 mm,
# `mcinr prepare --profile gaussian`), fitted point-sampled and
# profile-aware with otherwise the same settings, each without and with the
# residual correction, beside linear interpolation; then the fast-cpu
# preset point-sampled and profile-aware with K = 2, 4, 8 points per sample,
# with its per-contrast detail and with the earlier uniform one
# (docs/quality.md, Slice profile). Each fit takes about 10 minutes: run it
# on an otherwise idle machine (the budget sets the epochs). Rows named after
# OUT_DIR (point, gaussian-rc, preset-gaussian, ...) are the only fits run,
# and the error table covers the preset rows among them.
#   tests/validation/slice_profile.sh BUILD_DIR OUT_DIR [ROW...]   (default: every row)
set -euo pipefail
build=${1:?build dir} out=${2:?output dir}
shift 2
preset_rows="preset-point preset-gaussian preset-gaussian-k2 preset-gaussian-k8 preset-gaussian-uniform
             preset-point-uniform"
known="point gaussian point-rc gaussian-rc ${preset_rows//[[:space:]]/ }"
for row in "$@"; do
  [[ " $known " == *" $row "* ]] || { echo "slice_profile.sh: unknown row '$row' (rows: $(tr -s " " <<< "$known"))" >&2; exit 2; }
done
chosen=" $* "
wanted() { [ "$chosen" = "  " ] || [[ $chosen == *" $1 "* ]]; }
b=$(cd "$(dirname "$0")/../../.." && pwd)/shared/data/brats2023-gli-00001-000/BraTS-GLI-00001-000
[ -f "$b-t1c.nii.gz" ] || { echo "skipped: ../shared is absent"; exit 0; }
mcinr=$build/drivers/mcinr
mkdir -p "$out"
[ -d "$out/gaussian" ] || "$mcinr" prepare --subject-id g --hr1 "$b-t1c.nii.gz" --hr2 "$b-t2f.nii.gz" --c1 t1c --c2 t2f \
  --profile gaussian --pad-to 160 --out "$out/gaussian"
common="--hidden 256 --layers 4 --head-hidden 128 --fourier-features 128 --batch-size 1000 --lr 4e-4 --mask-margin 3
        --epochs 1000 --eval-every 1000 --fast-evaluation --clamp --time-budget 540"
# Each profile without and with the residual correction (with a profile, the
# residual is the measurement's to the profile-weighted field).
rc="--residual-correction --residual-detail-mm 0.5 --residual-detail-power 1.5"
for row in point gaussian point-rc gaussian-rc; do
  wanted "$row" || continue
  profile=${row%-rc}
  extra=""
  [ "$row" = "$profile" ] || extra=$rc
  # shellcheck disable=SC2086
  [ -f "$out/fit-$row/summary.json" ] ||
    "$mcinr" fit --subject "$out/gaussian" --contrasts t1c,t2f $common --slice-profile $profile $extra \
      --out "$out/fit-$row" > "$out/fit-$row.log"
  echo "== --slice-profile $profile $extra"
  tail -n 6 "$out/fit-$row.log"
done
uniform="--residual-detail-mm 0.5 --residual-detail-power 1.5"
for row in $preset_rows; do
  wanted "$row" || continue
  extra="--slice-profile point"
  case $row in *gaussian*) extra="--slice-profile gaussian" ;; esac
  case $row in *-k2) extra="$extra --profile-samples 2" ;; *-k8) extra="$extra --profile-samples 8" ;; esac
  case $row in *-uniform) extra="$extra $uniform" ;; esac
  # shellcheck disable=SC2086
  [ -f "$out/fit-$row/summary.json" ] ||
    "$mcinr" fit --subject "$out/gaussian" --contrasts t1c,t2f --preset fast-cpu $extra \
      --out "$out/fit-$row" > "$out/fit-$row.log"
  echo "== --preset fast-cpu $extra"
  tail -n 6 "$out/fit-$row.log"
done
# The error itself, in the scans' units (the reference's PSNR moves with the
# in-mask minimum): linear and cubic B-spline interpolation and the preset
# rows, with the reference's PSNR as is and with the brain floor (the preset
# floors its fits; the interpolations are floored here on equal terms).
for c in t1c t2f; do
  for order in 1 3; do
    [ -f "$out/interp${order}_$c.nii.gz" ] ||
      "$mcinr" baseline --image "$out/gaussian/g_${c}_LR.nii.gz" --reference "$out/gaussian/g_$c.nii.gz" \
        --order $order --out "$out/interp${order}_$c.nii.gz" > /dev/null
  done
  args=("linear=$out/interp1_$c.nii.gz" "bspline=$out/interp3_$c.nii.gz")
  for row in $preset_rows; do
    wanted "$row" || continue
    args+=("$row=$out/fit-$row/g_${c}_desc-mcinr.nii.gz")
  done
  echo "== $c"
  /usr/bin/python3 "$(dirname "$0")/inmask_error.py" --gt "$out/gaussian/g_$c.nii.gz" \
    --mask "$out/gaussian/g_brainmask.nii.gz" --scan "$out/gaussian/g_${c}_LR.nii.gz" "${args[@]}"
done
