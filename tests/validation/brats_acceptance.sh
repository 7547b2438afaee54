#!/usr/bin/env bash
# The real-data acceptance run of docs/results.md (not a CTest test: about
# 10 minutes per seed on 2 cores). Fits the shared BraTS subject exactly as
# ../shared/docs/reference-results.md ran the reference: t1c axial + t2f
# coronal, split-head 256 x 4, heads 128, FF 128 (scale 4), batch 1000,
# lr 4e-4 cosine over 5 epochs; one fit per seed, then a per-epoch table.
#   tests/validation/brats_acceptance.sh BUILD_DIR OUT_DIR [seeds...]
set -euo pipefail
build=${1:?build dir} out=${2:?output dir}
shift 2
seeds=("${@:-12}")
subject=$(cd "$(dirname "$0")/../../.." && pwd)/shared/data/brats2023-gli-00001-000/prepared-t1c-t2f
[ -d "$subject" ] || { echo "skipped: $subject is absent (../shared holds the real subjects)"; exit 0; }
mkdir -p "$out"
for seed in "${seeds[@]}"; do
  dir="$out/seed$seed"
  if [ ! -f "$dir/summary.json" ]; then
    "$build/drivers/mcinr" fit --subject "$subject" --contrasts t1c,t2f --hidden 256 --layers 4 \
      --fourier-features 128 --fourier-scale 4 --batch-size 1000 --lr 4e-4 --seed "$seed" --epochs 5 \
      --out "$dir" --resume > "$dir.log"
  fi
  echo "seed $seed"
  awk -F, 'NR == 1 { print "| epoch | PSNR c1 | SSIM c1 | PSNR c2 | SSIM c2 | MI(pred1,pred2) | train s |"; print "|---|---|---|---|---|---|---|"; next }
           { printf "| %d | %.2f | %.4f | %.2f | %.4f | %.4f | %.0f |\n", $1, $7, $8, $9, $10, $6, $4 }' "$dir/metrics.csv"
done
