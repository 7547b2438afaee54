#!/usr/bin/env bash
# A cohort on a real Slurm cluster (tests/slurm/cluster.sh), end to end:
#  - three small subjects prepared from ../shared/data with `mcinr prepare`
#    (BraTS and TCGA-LGG at 3 mm, cropped), one broken on purpose (its FLAIR
#    scan cut short, as an interrupted copy leaves it);
#  - plan, submit; one running task preempted with `scontrol requeue`
#    (SIGTERM), the other sent the time-limit warning (SIGUSR1), so both
#    checkpoint, are requeued and resume;
#  - collect: 2 done, 1 failed with its error line; the table's metrics are
#    what `mcinr evaluate` finds in the written volumes; each interrupted task
#    ran twice, resumed at the epoch it had reached and did every epoch once;
#    the preempted one ends with the outputs of an uninterrupted fit, byte
#    for byte;
#  - submit again after repairing the broken subject: only it is submitted;
#  - all of it in a run folder whose name holds a space.
#   cohort_on_slurm.sh MCINR CLUSTER_DIR WORK_DIR SHARED_DATA_DIR [PHANTOM_SUBJECT_DIR]
# Where ../shared is absent the subjects are cut from the phantom of
# make_test_subject instead, so the cluster part runs on any machine.
set -euo pipefail
mcinr=${1:?mcinr} cluster=${2:?cluster dir} work=${3:?work dir} data=${4:?shared data dir} phantom=${5:-}
brats=$data/brats2023-gli-00001-000
tcga=$data/tcga-lgg-fg-6692
if [ -d "$brats" ] && [ -d "$tcga" ]; then
  source=real one=brats two=tcga batch=250
elif [ -n "$phantom" ] && [ -f "$phantom/phantom_c1.nii.gz" ]; then
  echo "$data is absent (../shared holds the real subjects): using phantom subjects"
  source=phantom one=phantom1 two=phantom2 batch=50
else
  echo "skipped: $data is absent (../shared holds the real subjects) and no phantom subject was given"; exit 77
fi
[ -f "$cluster/env" ] || { echo "skipped: no slurm test cluster in $cluster (see the slurm.cluster_start test)"; exit 77; }
. "$cluster/env"
export PATH=$PATH:/usr/sbin

fail() { echo "FAIL: $*"; echo "--- status"; "$mcinr" cohort status "$run" || true
         for f in "$run"/logs/*.log; do echo "--- $f"; tail -n 20 "$f"; done; exit 1; }
# wait_until SECONDS COMMAND...: polls every 0.2 s.
wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}
epochs_done() { [ -f "$1/metrics.csv" ] && echo $(($(wc -l < "$1/metrics.csv") - 1)) || echo 0; }
at_least_epochs() { [ "$(epochs_done "$1")" -ge "$2" ]; }
queue_empty() { [ -z "$(squeue -h -r -j "$1" -o %i 2> /dev/null)" ]; }
# Releases a requeued task early: Slurm holds one back for two minutes
# (BeginTime). Not before the old run has checkpointed and exited, and Slurm
# has seen it end: a task released while its old run is still ending is
# marked complete by that run's exit (seen with Slurm 22.05).
release() {  # task subject
  wait_until 60 grep -q "^state = interrupted" "$run/state/$2.txt" || fail "$2 did not checkpoint and exit"
  wait_until 30 sh -c "squeue -h -r -j '$1' -o %T | grep -qx PENDING" || fail "$1 was not requeued"
  sleep 2
  scontrol update JobId="$1" StartTime=now
}

rm -rf "$work"
mkdir -p "$work/root"
# The run folder's name holds a space: the batch script quotes its paths.
run="$work/run folder"
prepare() {  # id hr1 hr2 crop
  "$mcinr" prepare --subject-id "$1" --hr1 "$2" --hr2 "$3" --c1 t1c --c2 t2f --hr-spacing 3 \
    --crop "$4" --out "$work/root/$1" > /dev/null
}
if [ $source = real ]; then
  prepare brats "$brats/BraTS-GLI-00001-000-t1c.nii.gz" "$brats/BraTS-GLI-00001-000-t2f.nii.gz" 8,8,4,72,72,48
  prepare tcga "$tcga/TCGA-FG-6692_t1c_bet.nii.gz" "$tcga/TCGA-FG-6692_fla_bet.nii.gz" 8,8,4,72,72,48
  prepare broken "$brats/BraTS-GLI-00001-000-t1c.nii.gz" "$brats/BraTS-GLI-00001-000-t2f.nii.gz" 12,12,8,76,76,52
else
  for s in "phantom1 0,0,0,40,40,40" "phantom2 8,8,8,48,48,48" "broken 4,4,4,44,44,44"; do
    set -- $s
    "$mcinr" prepare --subject-id "$1" --hr1 "$phantom/phantom_c1.nii.gz" --hr2 "$phantom/phantom_c2.nii.gz" \
      --c1 t1c --c2 t2f --hr-spacing 1 --crop "$2" --out "$work/root/$1" > /dev/null
  done
fi
cp "$work/root/broken/broken_t2f_LR.nii.gz" "$work/good_t2f_LR.nii.gz"
head -c $(($(stat -c %s "$work/good_t2f_LR.nii.gz") / 2)) "$work/good_t2f_LR.nii.gz" > "$work/root/broken/broken_t2f_LR.nii.gz"

cat > "$work/fit.ini" << 'INI'
# small fits: about 20 s each on one core
hidden = 128
layers = 2
fourier-features = 64
fourier-scale = 2
epochs = 20
batch-size = BATCH
lr = 1e-3
[slurm]
cpus-per-task = 1
mem = 2G
time = 00:20:00
INI
sed -i "s/BATCH/$batch/" "$work/fit.ini"
"$mcinr" cohort plan --root "$work/root" --contrasts t1c,t2f --config "$work/fit.ini" --out "$run"
index_of() { awk -F, -v s="$1" '$2 == s { print $1 }' "$run/manifest.csv"; }
i1=$(index_of $one) i2=$(index_of $two) ib=$(index_of broken)
grep -q -- '--signal=B:USR1@120' "$run/cohort.sbatch" || fail "no --signal in the batch script"
grep -q -- '--requeue' "$run/cohort.sbatch" || fail "no --requeue in the batch script"

"$mcinr" cohort submit "$run" | tee "$work/submit1.txt"
job=$(sed -n 's/^submitted job \([0-9]*\):.*/\1/p' "$work/submit1.txt")
[ -n "$job" ] || fail "no job id"
grep -q "array tasks 1-3 " "$work/submit1.txt" || fail "the first submit did not take all three"

# The first subject: preempted by requeue; the second: the time-limit warning.
wait_until 120 at_least_epochs "$run/fits/$one" 3 || fail "$one did not reach epoch 3"
"$mcinr" cohort status "$run"
scontrol requeue "${job}_$i1"
echo "requeued ${job}_$i1 after $(epochs_done "$run/fits/$one") epochs"
wait_until 120 at_least_epochs "$run/fits/$two" 3 || fail "$two did not reach epoch 3"
scancel --batch --signal=USR1 "${job}_$i2"
echo "sent USR1 to ${job}_$i2 after $(epochs_done "$run/fits/$two") epochs"
release "${job}_$i1" $one
release "${job}_$i2" $two
"$mcinr" cohort status "$run"
wait_until 300 queue_empty "$job" || fail "the cohort did not finish within 300 s"

"$mcinr" cohort status "$run" | tee "$work/status.txt"
grep -q "3 subjects: 2 done, 1 failed" "$work/status.txt" || fail "status does not say 2 done, 1 failed"
"$mcinr" cohort collect "$run" > "$work/collect.txt"
cat "$run/cohort.md"

# cohort.csv, by column name.
col() {  # subject column
  awk -F, -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; ++i) at[$i] = i; next }
                               $2 == s { print $at[c] }' "$run/cohort.csv"
}
[ "$(col broken status)" = failed ] || fail "broken is not failed"
col broken error | grep -q "broken_t2f_LR.nii.gz: truncated" || fail "broken's error line is not in cohort.csv"
for s in $one $two; do
  [ "$(col $s status)" = done ] || fail "$s is not done"
  [ "$(col $s epochs)" = 20 ] || fail "$s: $(col $s epochs) epochs, not 20"
  [ "$(col $s attempts)" = 2 ] || fail "$s ran $(col $s attempts) times, not 2"
  resumed=$(col $s resumed_at)
  epoch=$(echo "$resumed" | sed -n 's/^epoch \([0-9]*\).*/\1/p')
  [ -n "$epoch" ] && [ "$epoch" -ge 3 ] || fail "$s resumed at '$resumed', not at epoch 3 or later"
  grep -q "resuming .*checkpoint.h5: [0-9]* epochs done" "$run/logs/task-$(index_of $s).log" ||
    fail "$s's log shows no resume"
  # Every epoch once: a fit that started over would have rewritten them all,
  # one that resumed wrongly would skip or repeat some.
  [ "$(cut -d, -f1 "$run/fits/$s/metrics.csv" | tail -n +2 | tr '\n' ' ')" = "$(seq -s ' ' 1 20) " ] ||
    fail "$s's metrics.csv does not hold epochs 1..20 once each"
  echo "$s: done, 2 attempts, resumed at $resumed"
done
# The table's metrics are right: `mcinr evaluate` on the written volumes
# against the ground truth gives them again.
for s in $one $two; do
  for c in 1 2; do
    contrast=$([ $c = 1 ] && echo t1c || echo t2f)
    read -r psnr ssim < <("$mcinr" evaluate --pred "$run/fits/$s/${s}_${contrast}_desc-mcinr.nii.gz" \
      --gt "$work/root/$s/${s}_$contrast.nii.gz" --mask "$work/root/$s/${s}_brainmask.nii.gz" | awk '{ printf "%s ", $2 } END { print "" }')
    want=$(printf "%.4f %.4f" "$psnr" "$ssim")
    got=$(printf "%.4f %.4f" "$(col $s psnr$c)" "$(col $s ssim$c)")
    [ "$want" = "$got" ] || fail "$s contrast $c: cohort.csv says $got, mcinr evaluate $want"
  done
  echo "$s: cohort.csv metrics = mcinr evaluate on its outputs"
done
grep -q "requeue of ${job}_$i2: requested" "$run/logs/task-$i2.log" || fail "$two did not requeue itself on USR1"

# The resumed fit ends exactly where an uninterrupted one does.
# (One thread, as the task had: with OpenMP the thread count changes the
# order of reductions and so the last digits.)
OMP_NUM_THREADS=1 "$mcinr" fit --subject "$work/root/$one" --contrasts t1c,t2f --config "$work/fit.ini" \
  --out "$work/straight" > /dev/null 2>&1
straight=$(awk -F, 'END { print $7 }' "$work/straight/metrics.csv")
resumed=$(awk -F, 'END { print $7 }' "$run/fits/$one/metrics.csv")
[ "$straight" = "$resumed" ] || fail "$one PSNR c1: resumed $resumed, uninterrupted $straight"
cmp "$work/straight/${one}_t1c_desc-mcinr.nii.gz" "$run/fits/$one/${one}_t1c_desc-mcinr.nii.gz" ||
  fail "$one t1c differs from an uninterrupted fit"
echo "$one after preemption = uninterrupted fit: PSNR c1 $resumed, ${one}_t1c_desc-mcinr.nii.gz identical"

# Repair the broken subject; submit again takes it alone.
cp "$work/good_t2f_LR.nii.gz" "$work/root/broken/broken_t2f_LR.nii.gz"
"$mcinr" cohort submit "$run" | tee "$work/submit2.txt"
grep -q "array tasks $ib (1 subject; 2 done and skipped" "$work/submit2.txt" || fail "the second submit did not skip the done subjects"
job2=$(sed -n 's/^submitted job \([0-9]*\):.*/\1/p' "$work/submit2.txt")
wait_until 120 queue_empty "$job2" || fail "the resubmitted task did not finish"
"$mcinr" cohort submit "$run" | grep -q "nothing to submit: 3 done" || fail "a third submit did not find all done"
"$mcinr" cohort collect "$run" > /dev/null
[ "$(col broken status)" = done ] || fail "the repaired subject is not done"
echo "cohort on slurm: all checks passed"
