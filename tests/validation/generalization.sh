#!/usr/bin/env bash
# The fast-cpu preset, untouched, on subjects it was not tuned on, beside
# linear interpolation (docs/quality.md):
#  - BraTS-GLI-00001-000's other pair: t1n axial + t2w coronal;
#  - TCGA-FG-6692: t1c axial + FLAIR coronal (its 1 mm volumes were
#    interpolated from 5.5 mm axial scans: sharp in-plane only);
# both prepared as the reference prepares its subjects (`mcinr prepare`,
# every 4th slice, z padded to 160).
#   tests/validation/generalization.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=${1:?build dir} out=${2:?output dir}
data=$(cd "$(dirname "$0")/../../.." && pwd)/shared/data
[ -d "$data" ] || { echo "skipped: $data is absent"; exit 0; }
mcinr=$build/drivers/mcinr
mkdir -p "$out"
prepare() {  # id hr1 hr2 c1 c2
  [ -d "$out/$1" ] || "$mcinr" prepare --subject-id "$1" --hr1 "$2" --hr2 "$3" --c1 "$4" --c2 "$5" --pad-to 160 --out "$out/$1"
}
b=$data/brats2023-gli-00001-000/BraTS-GLI-00001-000
t=$data/tcga-lgg-fg-6692/TCGA-FG-6692
prepare brats-t1n-t2w "$b-t1n.nii.gz" "$b-t2w.nii.gz" t1n t2w
prepare tcga-t1c-fla "${t}_t1c_bet.nii.gz" "${t}_fla_bet.nii.gz" t1c fla
for case in "brats-t1n-t2w t1n,t2w" "tcga-t1c-fla t1c,fla"; do
  set -- $case
  [ -f "$out/$1-fit/summary.json" ] ||
    "$mcinr" fit --subject "$out/$1" --contrasts "$2" --preset fast-cpu --out "$out/$1-fit" > "$out/$1-fit.log"
  echo "== $1 ($2)"
  tail -n 6 "$out/$1-fit.log"
done
