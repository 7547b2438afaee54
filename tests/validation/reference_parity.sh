#!/usr/bin/env bash
# Issue 10's seed study (docs/results.md, "Parity with the reference"): the
# reference, run unmodified by ../shared/tools/reference-harness, and mcinr,
# each with seeds 12, 13, 14 (or those given; results.md has 12-16 on pair
# a and 12-22 on pair b) on two pairs of the shared BraTS subject at the
# CPU-sized setting (split-head 256 x 4, heads 128, FF 128 scale 4, batch
# 1000, lr 4e-4 cosine over 3 epochs, every LR voxel a sample), then the
# side-by-side table of tests/validation/parity_table.py. Two runs at a time,
# one core each: about 1 h 40 min on 2 cores for 3 seeds (a further seed on
# one pair: about 16 min). Finished runs are kept.
#   UPSTREAM_GIT_DIR=DIR tests/validation/reference_parity.sh BUILD_DIR OUT_DIR [seeds...]
# UPSTREAM_GIT_DIR: the git dir `fetch github:jqmcginnis/multi_contrast_inr`
# returned. Needs Debian's python3-torch and the rest of the harness's list.
# Pair a: t1c axial + t2f coronal (../shared's prepared-t1c-t2f); pair b:
# t1n axial + t2w coronal, prepared by the harness's make_subject.py
# --pad-brats (the reference's own BraTS preparation).
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
out=${2:?output dir}
shift 2
[ $# -gt 0 ] || set -- 12 13 14
shared=$(cd "$(dirname "$0")/../../.." && pwd)/shared
brats=$shared/data/brats2023-gli-00001-000
[ -d "$brats/prepared-t1c-t2f" ] || { echo "skipped: $brats is absent (../shared holds the real subjects)"; exit 0; }
: "${UPSTREAM_GIT_DIR:?set UPSTREAM_GIT_DIR to the git dir fetch returned for jqmcginnis/multi_contrast_inr}"
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The harness writes into its own folder: work on a copy. The reference picks
# its files by substrings of their whole path, so the subject folders' names
# hold no contrast name.
[ -d "$out/harness" ] || cp -r "$shared/tools/reference-harness" "$out/harness"
mkdir -p "$out/data/a"
for f in "$brats"/prepared-t1c-t2f/*.nii.gz; do ln -sfn "$f" "$out/data/a/"; done
[ -f "$out/data/b/BraTS-GLI-00001-000_brainmask.nii.gz" ] ||
  /usr/bin/python3 "$out/harness/make_subject.py" --hr1 "$brats/BraTS-GLI-00001-000-t1n.nii.gz" \
    --hr2 "$brats/BraTS-GLI-00001-000-t2w.nii.gz" --c1 t1n --c2 t2w --pad-brats --out "$out/data/b" \
    --subject-id BraTS-GLI-00001-000 > "$out/prepare_b.log"

run() {  # run ref|mc PAIR SEED
  local kind=$1 pair=$2 seed=$3 c1 c2
  if [ "$pair" = a ]; then c1=t1c c2=t2f; else c1=t1n c2=t2w; fi
  local tag=${kind}_${pair}_s$seed
  if [ "$kind" = ref ]; then
    [ -f "$out/harness/results/$tag/results.json" ] && return 0
    (cd "$out/harness" && ./run_upstream.sh --data-dir "$out/data/$pair" --subject-id BraTS-GLI-00001-000 \
      --c1 $c1 --c2 $c2 --epochs 3 --hidden 256 --layers 4 --mapping 128 --ff-scale 4 --batch-size 1000 \
      --lr 4e-4 --seed "$seed" --threads 1 --tag "$tag" > "$out/$tag.log" 2>&1)
  else
    [ -f "$out/$tag/summary.json" ] && return 0
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$build/drivers/mcinr" fit --subject "$out/data/$pair" \
      --contrasts $c1,$c2 --hidden 256 --layers 4 --fourier-features 128 --fourier-scale 4 --batch-size 1000 \
      --lr 4e-4 --seed "$seed" --epochs 3 --out "$out/$tag" > "$out/$tag.log" 2>&1
  fi
  echo "$(date +%T) $tag done"
}
export -f run
export build out
for pair in a b; do
  for seed in "$@"; do printf 'ref %s %s\nmc %s %s\n' "$pair" "$seed" "$pair" "$seed"; done
done | xargs -P 2 -L 1 bash -c 'run "$@"' _
/usr/bin/python3 "$(dirname "$0")/parity_table.py" "$out" a b
