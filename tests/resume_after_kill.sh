#!/usr/bin/env bash
# A fit killed with SIGKILL mid-epoch and resumed from its checkpoint must end
# bitwise identical (Serial) to a fit that was never interrupted: same
# predictions, same weights, same metric rows (timings aside).
#   resume_after_kill.sh MCINR SUBJECT_DIR WORK_DIR
set -euo pipefail
mcinr=$1 subject=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
rows() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
# Waits until the fit writing $1 has finished $2 epochs (metrics.csv rows):
# an event, not a clock, so slow builds (sanitizers) wait as long as needed.
# Gives up only when the fit ($pid) has ended.
wait_epochs() {
  while [ "$(rows "$1")" -le "$2" ]; do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.02
  done
}
# same_fit A B WHAT: the outputs of fits A and B are byte-identical, and so
# are their metric rows without the timing columns (seconds, samples_per_s).
p1=$(basename "$(ls "$subject"/*_c1_LR.nii.gz)" _LR.nii.gz) p2=$(basename "$(ls "$subject"/*_c2_LR.nii.gz)" _LR.nii.gz)
v1=${p1}_desc-mcinr.nii.gz v2=${p2}_desc-mcinr.nii.gz
same_fit() {
  for f in "$v1" "$v2"; do
    cmp "$work/$1/$f" "$work/$2/$f" || { echo "$f differs $3"; exit 1; }
  done
  cut -d, -f1-3,6- "$work/$1/metrics.csv" > "$work/$1.rows"
  cut -d, -f1-3,6- "$work/$2/metrics.csv" > "$work/$2.rows"
  cmp "$work/$1.rows" "$work/$2.rows" || { echo "metrics differ $3"; exit 1; }
}
args=(fit --subject "$subject" --contrasts c1,c2 --hidden 128 --layers 3 --fourier-features 32 --fourier-scale 2
      --epochs 6 --batch-size 100 --lr 2e-3 --checkpoint-every 1)

"$mcinr" "${args[@]}" --out "$work/straight" > "$work/straight.log"

"$mcinr" "${args[@]}" --out "$work/killed" > "$work/killed.log" &
pid=$!
# Kill inside the third epoch.
wait_epochs "$work/killed/metrics.csv" 2
kill -9 "$pid" 2>/dev/null || { echo "the fit ended before it could be killed: make it longer"; exit 1; }
wait "$pid" 2>/dev/null || true
rows_at_kill=$(($(wc -l < "$work/killed/metrics.csv") - 1))
echo "killed after $rows_at_kill epochs"
[ "$rows_at_kill" -lt 6 ] || { echo "kill came too late"; exit 1; }
[ ! -e "$work/killed/$v1" ] || { echo "a killed fit left outputs"; exit 1; }

"$mcinr" "${args[@]}" --out "$work/killed" --resume > "$work/resumed.log"
grep "^resuming" "$work/resumed.log"

same_fit straight killed "after kill -9 and resume"

# signal_and_resume NAME SIGNAL NUMBER: the signal, sent once the first
# epoch's row is written, checkpoints inside the next epoch and exits with
# status 75; the resumed fit continues from that very batch.
signal_and_resume() {
  "$mcinr" "${args[@]}" --out "$work/$1" > "$work/$1.log" &
  pid=$!
  wait_epochs "$work/$1/metrics.csv" 1
  kill "-$2" "$pid"
  status=0
  wait "$pid" || status=$?
  [ "$status" -eq 75 ] || { echo "SIG$2: exit status $status, expected 75"; cat "$work/$1.log"; exit 1; }
  grep -E "^signal $3 in epoch [0-9]+ at batch [0-9]+/[0-9]+: checkpointed" "$work/$1.log"
  "$mcinr" "${args[@]}" --out "$work/$1" --resume > "$work/$1-resumed.log"
  grep "^resuming" "$work/$1-resumed.log"
  same_fit straight "$1" "after SIG$2 and resume"
}
# Slurm's warning signal, and Ctrl-C (SIGINT), which checkpoints the same way.
signal_and_resume signalled USR1 10
signal_and_resume interrupted INT 2

# A signal during an evaluation (long on CPUs for large grids) abandons it:
# the checkpoint holds the trained epoch, the resumed fit evaluates it. The
# signal comes from the test hook MCINR_TEST_SIGNAL_AT_EVALUATION=2 (as the
# second evaluation starts), so it lands there on any build speed.
eval_args=(fit --image1 "$subject"/*_c1_LR.nii.gz --image2 "$subject"/*_c2_LR.nii.gz --spacing 0.5 --mask-margin 0
           --hidden 64 --layers 2 --fourier-features 16 --epochs 3 --batch-size 2000 --early-stopping)
"$mcinr" "${eval_args[@]}" --out "$work/eval-straight" > /dev/null
status=0
MCINR_TEST_SIGNAL_AT_EVALUATION=2 "$mcinr" "${eval_args[@]}" --out "$work/eval-signalled" > "$work/eval-signalled.log" ||
  status=$?
[ "$status" -eq 75 ] || { echo "SIGUSR1 in evaluation: exit status $status, expected 75"; exit 1; }
grep "^signal 10 at the evaluation of epoch 2" "$work/eval-signalled.log"
"$mcinr" "${eval_args[@]}" --out "$work/eval-signalled" --resume > /dev/null
same_fit eval-straight eval-signalled "after a signal in evaluation"
# Running a finished fit again with --resume changes nothing.
"$mcinr" "${args[@]}" --out "$work/straight" --resume | grep "this fit is complete"
# mcinr infer on the fit's own grid reproduces the fit's unmasked outputs
# exactly (infer writes the field whole); on a 0.5 mm grid it covers the
# same extent at twice the sampling.
"$mcinr" "${args[@]}" --no-mask-output --out "$work/unmasked" > /dev/null
"$mcinr" infer --checkpoint "$work/unmasked/checkpoint.h5" --reference "$subject"/*_c1.nii.gz --out "$work/infer" > /dev/null
cmp "$work/unmasked/$v1" "$work/infer/$v1" || { echo "infer differs from fit"; exit 1; }
cmp "$work/unmasked/$v2" "$work/infer/$v2" || { echo "infer differs from fit"; exit 1; }
"$mcinr" infer --checkpoint "$work/straight/checkpoint.h5" --spacing 0.5 --out "$work/infer-half" | grep "95x95x95 grid (0.5 x 0.5 x 0.5 mm)"
# --reference with --spacing: the reference's field of view at that spacing.
"$mcinr" infer --checkpoint "$work/straight/checkpoint.h5" --reference "$subject"/*_c1.nii.gz --spacing 0.5 \
  --out "$work/infer-ref-half" | grep "95x95x95 grid (0.5 x 0.5 x 0.5 mm)"
# With ground truth, the summary scores linear and B-spline interpolation too.
grep -q '"linear": {' "$work/straight/summary.json" || { echo "no baselines in summary.json"; exit 1; }
grep -q '"bspline": {' "$work/killed/summary.json" || { echo "no baselines after resume"; exit 1; }
# The outputs lie exactly on the ground truth's grid (evaluate refuses any other).
"$mcinr" evaluate --pred "$work/straight/$v1" --gt "$subject"/*_c1.nii.gz \
  --mask "$subject"/*_brainmask.nii.gz --out "$work/evaluate.json" > /dev/null
grep -q '"psnr":' "$work/evaluate.json" || { echo "evaluate --out wrote no JSON"; exit 1; }
# Sampling only near the masks: fewer samples than voxels.
"$mcinr" fit --subject "$subject" --contrasts c1,c2 --hidden 16 --layers 1 --fourier-features 8 --epochs 1 \
  --mask-margin 2 --out "$work/near-mask" | grep -E "^  [0-9]+ samples" > "$work/near.txt"
all=$(grep -E "^  [0-9]+ samples" "$work/straight.log" | awk '{print $1}')
near=$(awk '{print $1}' "$work/near.txt")
[ "$near" -lt "$all" ] && [ "$near" -gt 0 ] || { echo "--mask-margin: $near samples of $all"; exit 1; }
echo "resumed fit is bitwise identical to the uninterrupted one"
