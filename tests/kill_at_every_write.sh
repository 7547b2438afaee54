#!/usr/bin/env bash
# A fit killed (SIGKILL) just before each of its file writes, then resumed,
# ends with the same outputs as a fit never killed, and no leftovers. The
# kill comes from the test hook MCINR_TEST_KILL_AT=NAME:N (io/atomic_file.cpp:
# just before the Nth rename onto NAME), so it lands exactly, on any build
# speed. Then: a second fit on a folder in use is refused (the lock file).
#   kill_at_every_write.sh MCINR SUBJECT_DIR WORK_DIR
set -euo pipefail
mcinr=$1 subject=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
args=(fit --subject "$subject" --contrasts c1,c2 --hidden 32 --layers 2 --fourier-features 16 --fourier-scale 2
      --epochs 2 --batch-size 500 --checkpoint-every 1)
"$mcinr" "${args[@]}" --out "$work/straight" > "$work/straight.log"
# The outputs' names start with the scans' (<id>_c1_LR.nii.gz -> <id>_c1).
p1=$(basename "$(ls "$subject"/*_c1_LR.nii.gz)" _LR.nii.gz) p2=$(basename "$(ls "$subject"/*_c2_LR.nii.gz)" _LR.nii.gz)
volumes=("${p1}_desc-mcinr.nii.gz" "${p2}_desc-mcinr.nii.gz")
finals=("${volumes[@]}" "${p1}_desc-mcinr.json" "${p2}_desc-mcinr.json" "${p1}_desc-scan_mask.nii.gz"
        "${p2}_desc-scan_mask.nii.gz" "${p1}_desc-coverage_dseg.nii.gz" "${p2}_desc-coverage_dseg.nii.gz" slices.png
        report.html)
outputs=("${finals[@]}" metrics.csv summary.json checkpoint.h5)

# A fit's writes, in order: each epoch's metrics.csv, then checkpoint.h5
# but after the last epoch; at the end checkpoint.h5 (training finished),
# the volumes, their sidecars, the masks, the coverage maps, slices.png, and
# summary.json last: the fit is complete only once it is there.
points=(metrics.csv:1 checkpoint.h5:1 metrics.csv:2 checkpoint.h5:2)
for f in "${finals[@]}"; do points+=("$f:1"); done
points+=(summary.json:1)
for point in "${points[@]}"; do
  dir="$work/killed-${point/:/-}"
  status=0
  (MCINR_TEST_KILL_AT=$point exec "$mcinr" "${args[@]}" --out "$dir" > "$dir.log" 2>&1) 2> /dev/null || status=$?
  [ "$status" -eq 137 ] || { echo "$point: exit status $status, expected a kill (137)"; cat "$dir.log"; exit 1; }
  name=${point%:*}
  if [ "${point#*:}" = 1 ] && [ "$name" != checkpoint.h5 ] && [ "$name" != metrics.csv ]; then
    [ ! -e "$dir/$name" ] || { echo "$point: $name exists after a kill before its write"; exit 1; }
  fi
  [ ! -e "$dir/summary.json" ] || { echo "$point: summary.json (complete) after a kill"; exit 1; }
  # The kill left the write's temporary folder, as a real one would.
  [ -n "$(find "$dir" -maxdepth 1 -type d -name ".$name.??????")" ] || { echo "$point: no temporary left"; exit 1; }
  "$mcinr" "${args[@]}" --out "$dir" --resume > "$dir-resumed.log" 2>&1 ||
    { echo "$point: the resume failed"; cat "$dir-resumed.log"; exit 1; }
  if grep -q "this fit is complete" "$dir-resumed.log"; then
    echo "$point: the resume found nothing to do"; exit 1
  fi
  for f in "${outputs[@]}"; do
    [ -f "$dir/$f" ] || { echo "$point: $f missing after the resume"; exit 1; }
  done
  for f in "${volumes[@]}" "${p1}_desc-coverage_dseg.nii.gz"; do
    cmp -s "$work/straight/$f" "$dir/$f" || { echo "$point: $f differs from the fit never killed"; exit 1; }
  done
  diff <(cut -d, -f1-3,6- "$work/straight/metrics.csv") <(cut -d, -f1-3,6- "$dir/metrics.csv") > /dev/null ||
    { echo "$point: metrics.csv rows differ from the fit never killed"; exit 1; }
  leftovers=$(find "$dir" -mindepth 1 -name '.*' ! -name .mcinr.lock)
  [ -z "$leftovers" ] || { echo "$point: leftovers: $leftovers"; exit 1; }
  "$mcinr" "${args[@]}" --out "$dir" --resume | grep -q "this fit is complete" ||
    { echo "$point: a second resume is not complete"; exit 1; }
  echo "killed before $point: resumed to the same outputs"
done
# No third checkpoint or metrics write: the list above is the whole sequence.
for point in checkpoint.h5:3 metrics.csv:3; do
  MCINR_TEST_KILL_AT=$point "$mcinr" "${args[@]}" --out "$work/unkilled-${point/:/-}" > /dev/null
done

# A folder in use: a second fit (here a resume) is refused while the first
# holds the lock; waits on the first fit's metrics.csv, not on a clock.
"$mcinr" fit --subject "$subject" --contrasts c1,c2 --hidden 32 --layers 2 --fourier-features 16 --epochs 200 \
  --batch-size 500 --checkpoint-every 1 --early-stopping=false --out "$work/busy" > "$work/busy.log" 2>&1 &
pid=$!
while [ ! -f "$work/busy/metrics.csv" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "the first fit ended early"; cat "$work/busy.log"; exit 1; }
  sleep 0.05
done
status=0
"$mcinr" fit --subject "$subject" --contrasts c1,c2 --hidden 32 --layers 2 --fourier-features 16 --epochs 200 \
  --batch-size 500 --checkpoint-every 1 --early-stopping=false --out "$work/busy" --resume > "$work/second.log" 2>&1 ||
  status=$?
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ "$status" -eq 2 ] || { echo "a second fit on a busy folder: exit status $status"; cat "$work/second.log"; exit 1; }
grep -qE "^mcinr: error: .*busy is in use by another mcinr process \(pid $pid\): wait for it to end" "$work/second.log" ||
  { echo "unexpected message:"; cat "$work/second.log"; exit 1; }
# One error line (an environment warning such as OpenMP's aside).
[ "$(grep -vc "^mcinr: warning: " "$work/second.log")" -eq 1 ] || { echo "more than one line"; cat "$work/second.log"; exit 1; }
# Once the first is gone (kill -9), the lock went with it: a resume gets
# past it (and is stopped by the hook at its first checkpoint).
status=0
MCINR_TEST_KILL_AT=checkpoint.h5:1 "$mcinr" fit --subject "$subject" --contrasts c1,c2 --hidden 32 --layers 2 \
  --fourier-features 16 --epochs 200 --batch-size 500 --checkpoint-every 1 --early-stopping=false \
  --out "$work/busy" --resume > "$work/third.log" 2>&1 || status=$?
[ "$status" -eq 137 ] || { echo "the resume after the holder died: exit status $status"; cat "$work/third.log"; exit 1; }
echo "every write survives a kill; a busy folder is refused"
