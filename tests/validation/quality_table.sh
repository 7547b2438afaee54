#!/usr/bin/env bash
# The ablation table of docs/quality.md: each row is one `mcinr fit` of the
# shared BraTS subject (t1c axial + t2f coronal, every 4th slice), scored with
# the reference's metric code; the interpolation baselines come with it.
# Not a CTest test: each row is a fit of up to 10 minutes on 2 cores.
#   tests/validation/quality_table.sh BUILD_DIR OUT_DIR [ROW...]   (default: every row)
# Prints one markdown row per fit: PSNR, SSIM, |MI(pred1,pred2) - MI(gt1,gt2)|
# relative to MI(gt1,gt2), wall seconds, training samples/s, and the command.
set -euo pipefail
build=${1:?build dir} out=${2:?output dir}
shift 2
subject=$(cd "$(dirname "$0")/../../.." && pwd)/shared/data/brats2023-gli-00001-000/prepared-t1c-t2f
[ -d "$subject" ] || { echo "skipped: $subject is absent (../shared holds the real subjects)"; exit 0; }
mcinr=$build/drivers/mcinr
fg="--mask-margin 3"
step="--schedule cosine-step --epochs 1000 --eval-every 1000 --fast-evaluation --time-budget 540"
fourier="--hidden 256 --layers 4 --head-hidden 128 --fourier-features 128 --batch-size 1000 --lr 4e-4"
# The fast-cpu preset's detail before it went per contrast (now 1.5 mm / 0.5
# on contrast 1, 0.7 mm / 2 on contrast 2): the rows measured then.
uniform="--residual-detail-mm 0.5 --residual-detail-power 1.5"
hash="--encoding hashgrid --encoding-lr 1e-2 --hidden 64 --layers 1 --head-hidden 32 --batch-size 8192 --lr 3e-3"
declare -A rows=(
  [reference]="--preset reference --epochs 5 --hidden 256 --head-hidden 128 --fourier-features 128"
  [fourier_budget_all_voxels]="$fourier $step"
  [fourier_budget_fg]="$fourier $step $fg"
  [fourier_budget_fg_dc]="$fourier $step $fg --data-consistency --clamp"
  [fourier_budget_fg_rc]="$fourier $step $fg --residual-correction --clamp"
  [fourier_s3_rc]="$fourier --fourier-scale 3 $step $fg --residual-correction --clamp"
  [fourier_s6_rc]="$fourier --fourier-scale 6 $step $fg --residual-correction --clamp"
  [fourier_b4096_dc]="--hidden 256 --layers 4 --head-hidden 128 --fourier-features 128 --batch-size 4096 --lr 1e-3 $step $fg --data-consistency --clamp"
  [hash_t18_dc]="$hash --hash-log2-table 18 $step $fg --data-consistency --clamp"
  [hash_t18_finest2_dc]="$hash --hash-log2-table 18 --hash-finest-mm 2 --hash-levels 8 $step $fg --data-consistency --clamp"
  [hash_t20_dc]="$hash --hash-log2-table 20 $step $fg --data-consistency --clamp"
  [hash_t20_rc]="$hash --hash-log2-table 20 $step $fg --residual-correction --clamp"
  [hybrid_dc]="--encoding fourier+hashgrid --fourier-features 128 --hash-log2-table 20 --encoding-lr 1e-2 --hidden 128 --layers 2 --head-hidden 64 --batch-size 8192 --lr 2e-3 $step $fg --data-consistency --clamp"
  [hybrid_rc]="--encoding fourier+hashgrid --fourier-features 128 --hash-log2-table 20 --encoding-lr 1e-2 --hidden 128 --layers 2 --head-hidden 64 --batch-size 8192 --lr 2e-3 $step $fg --residual-correction --clamp"
  [fast_cpu]="--preset fast-cpu"
  [fast_cpu_uniform_detail]="--preset fast-cpu $uniform"
  [fast_cpu_linear_residual]="--preset fast-cpu --residual-detail-mm 0"
  [fast_cpu_detail07_p2]="--preset fast-cpu --residual-detail-mm 0.7 --residual-detail-power 2"
  [fast_cpu_all_voxels]="--preset fast-cpu --mask-margin -1 --residual-detail-mm 0"
  [fast_cpu_fast_encoding]="--preset fast-cpu --fast-encoding $uniform"
  [fast_cpu_fast_encoding_22]="--preset fast-cpu --fast-encoding --epochs 22 $uniform"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(reference fourier_budget_all_voxels fourier_budget_fg fourier_budget_fg_dc fourier_budget_fg_rc
                                  fourier_s3_rc fourier_s6_rc fourier_b4096_dc hash_t18_dc hash_t18_finest2_dc hash_t20_dc
                                  hash_t20_rc hybrid_dc hybrid_rc fast_cpu fast_cpu_uniform_detail fast_cpu_linear_residual
                                  fast_cpu_detail07_p2
                                  fast_cpu_all_voxels fast_cpu_fast_encoding
                                  fast_cpu_fast_encoding_22)
mkdir -p "$out"
value() { awk -v key="\"$2\":" '$1 == key { gsub(/,/, "", $2); print $2; exit }' "$1"; }
echo "| row | PSNR t1c | PSNR t2f | SSIM t1c | SSIM t2f | MI err | MI err t1c / t2f | s | samples/s | command |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  args=${rows[$name]:?unknown row $name}
  dir=$out/$name
  if [ ! -f "$dir/summary.json" ]; then
    rm -rf "$dir"
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$mcinr" fit --subject "$subject" --contrasts t1c,t2f $args --out "$dir" > "$dir.log" 2>&1
    echo $(( $(date +%s) - start )) > "$dir.seconds"
  fi
  # The final block of summary.json holds the scores; baselines follow it.
  final=$(awk '/"final": {/,/}/' "$dir/summary.json")
  get() { echo "$final" | awk -v key="\"$1\":" '$1 == key { gsub(/,/, "", $2); print $2; exit }'; }
  rate=$(awk -F, 'NR > 1 && $5 > 0 { r = $5 } END { printf "%.0f", r }' "$dir/metrics.csv")
  mi=$(awk -v p="$(get mi_pred)" -v g="$(get mi_gt)" 'BEGIN { printf "%+.1f%%", 100 * (p - g) / g }')
  printf "| %s | %.2f | %.2f | %.4f | %.4f | %s | %.4f / %.4f | %s | %s | \`mcinr fit --subject S --contrasts t1c,t2f %s\` |\n" \
    "$name" "$(get psnr1)" "$(get psnr2)" "$(get ssim1)" "$(get ssim2)" "$mi" "$(get mi_err1)" "$(get mi_err2)" \
    "$(cat "$dir.seconds")" "$rate" "$args"
done
baseline=$(awk '/"linear": {/,/}/' "$out/${names[0]}/summary.json")
echo "linear interpolation: $(echo "$baseline" | tr -d '\n ' )"
