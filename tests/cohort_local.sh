#!/usr/bin/env bash
# `mcinr cohort` without a cluster: plan (manifest, batch script with the
# config's [slurm] settings), tasks run by hand as Slurm would run them (one
# broken subject, one interrupted by SIGUSR1 and run again), status, collect;
# and the plan's refusals. The real cluster test is tests/slurm/.
#   cohort_local.sh MCINR PHANTOM_SUBJECT_DIR WORK_DIR
set -euo pipefail
mcinr=$1 phantom=$2 work=$3
rm -rf "$work" && mkdir -p "$work/root"
fail() { echo "FAIL: $*"; exit 1; }
expect_error() {  # regex command...: one error line, exit status 2
  local regex=$1; shift
  local out code=0
  "$@" > /dev/null 2> "$work/stderr.txt" || code=$?
  # (Warnings aside: an OpenMP build with a pthreads OpenBLAS says so on every run.)
  out=$(grep -v "^mcinr: warning: Kokkos runs OpenMP" "$work/stderr.txt" || true)
  [ "$code" -eq 2 ] || fail "exit status $code, not 2, for: $*"
  [ "$(echo "$out" | wc -l)" -eq 1 ] || fail "more than one error line: $out"
  echo "$out" | grep -Eq -- "$regex" || fail "'$out' does not match '$regex'"
  echo "refused: $out"
}

# Three subjects from the phantom, cut differently; the third lacks its c2 scan.
for s in "a 0,0,0,40,40,40" "b 4,4,4,44,44,44" "c 8,8,8,48,48,48"; do
  set -- $s
  "$mcinr" prepare --subject-id "$1" --hr1 "$phantom/phantom_c1.nii.gz" --hr2 "$phantom/phantom_c2.nii.gz" \
    --c1 c1 --c2 c2 --crop "$2" --out "$work/root/$1" > /dev/null
done
rm "$work/root/c/c_c2_LR.nii.gz"
cat > "$work/fit.ini" << 'INI'
hidden = 64
layers = 2
fourier-features = 32
fourier-scale = 2
epochs = 6
batch-size = 100
lr = 2e-3
[slurm]
partition = gpu
time = 02:00:00
mem = 8G
cpus-per-task = 4
gpus-per-task = 1
module = cuda/12.4
module = kokkos/4.6-cuda
env = KOKKOS_TOOLS_LIBS=
setup = echo "task on $(hostname)"
INI

# (PATH without an installed mcinr: the tasks run this build's, with a warning.)
PATH=/usr/bin:/bin "$mcinr" cohort plan --root "$work/root" --contrasts c1,c2 --config "$work/fit.ini" --out "$work/run" \
  > "$work/plan.txt" 2> "$work/plan.err"
cat "$work/plan.txt" "$work/plan.err"
run=$work/run
grep -q "warning: subject c has no c2 scan" "$work/plan.err" || fail "no warning for the missing scan"
grep -q "warning: the tasks will run $mcinr from a build tree" "$work/plan.err" || fail "no warning for a build-tree binary"
# An installed mcinr on PATH is the one the tasks run.
# (A prefix outside any build tree, as an install's.)
prefix=$(mktemp -d) && trap 'rm -rf "$prefix"' EXIT
mkdir -p "$prefix/bin" && printf '#!/bin/sh\n' > "$prefix/bin/mcinr" && chmod +x "$prefix/bin/mcinr"
PATH="$prefix/bin:/usr/bin:/bin" "$mcinr" cohort plan --root "$work/root" --contrasts c1,c2 --config "$work/fit.ini" \
  --out "$work/run-installed" > /dev/null 2> "$work/plan-installed.err"
grep -q "warning: the tasks will run the installed $prefix/bin/mcinr, not this build tree's" \
  "$work/plan-installed.err" || fail "no word of the installed mcinr: $(cat "$work/plan-installed.err")"
grep -qF "exec '$prefix/bin/mcinr' cohort task" "$work/run-installed/cohort.sbatch" ||
  fail "the batch script does not run the installed mcinr"
[ "$(tail -n +2 "$run/manifest.csv" | cut -d, -f1,2 | tr '\n' ' ')" = "1,a 2,b 3,c " ] || fail "manifest rows"
for line in '#SBATCH --partition=gpu' '#SBATCH --time=02:00:00' '#SBATCH --mem=8G' '#SBATCH --cpus-per-task=4' \
            '#SBATCH --gpus-per-task=1' '#SBATCH --requeue' '#SBATCH --signal=B:USR1@120' \
            "#SBATCH --output=\"$run/logs/task-%a.log\"" "#SBATCH --chdir=\"$PWD\"" 'module load cuda/12.4' 'module load kokkos/4.6-cuda' \
            'export KOKKOS_TOOLS_LIBS=' 'echo "task on $(hostname)"' 'export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-4}' \
            "exec '$mcinr' cohort task '$run' \"\$SLURM_ARRAY_TASK_ID\""; do
  grep -qxF -- "$line" "$run/cohort.sbatch" || fail "cohort.sbatch lacks: $line"
done
bash -n "$run/cohort.sbatch" || fail "cohort.sbatch is not valid bash"
"$mcinr" cohort status "$run" | grep -q "3 subjects: 3 not submitted" || fail "status before any task"

# Task 1 runs through; task 3 fails with the fit's error line; task 2 is
# interrupted by the time-limit signal inside its third epoch, then resumes.
"$mcinr" cohort task "$run" 1 > "$run/logs/task-1.log"
code=0
"$mcinr" cohort task "$run" 3 > "$run/logs/task-3.log" 2>&1 || code=$?
[ "$code" -eq 2 ] || fail "the broken task exited with $code, not 2"
grep -q "mcinr: error: .*c_c2_LR.nii.gz: no such file" "$run/logs/task-3.log" || fail "no error line in the log"
"$mcinr" cohort task "$run" 2 > "$run/logs/task-2.log" &
pid=$!
# Waits for two epochs' rows (an event, however slow the build), while the task runs.
while kill -0 "$pid" 2> /dev/null; do
  [ -f "$run/fits/b/metrics.csv" ] && [ "$(wc -l < "$run/fits/b/metrics.csv")" -ge 3 ] && break
  sleep 0.02
done
kill -USR1 "$pid"
code=0
wait "$pid" || code=$?
[ "$code" -eq 75 ] || fail "the interrupted task exited with $code, not 75"
"$mcinr" cohort status "$run" | tee "$work/status1.txt"
grep -Eq "^ +2  b +interrupted +checkpointed at epoch [0-9]+ batch [0-9]+ after signal USR1" "$work/status1.txt" ||
  fail "status does not show b interrupted"
"$mcinr" cohort task "$run" 2 >> "$run/logs/task-2.log"
grep -q "^resuming .*checkpoint.h5: [0-9]* epochs done" "$run/logs/task-2.log" || fail "task 2 did not resume"

"$mcinr" cohort status "$run" | tee "$work/status2.txt"
grep -q "3 subjects: 2 done, 1 failed" "$work/status2.txt" || fail "status is not 2 done, 1 failed"
"$mcinr" cohort collect "$run" > /dev/null
cat "$run/cohort.csv" "$run/cohort.md"
col() { awk -F, -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; ++i) at[$i] = i; next } $2 == s { print $at[c] }' "$run/cohort.csv"; }
[ "$(col a status) $(col a epochs) $(col a attempts)" = "done 6 1" ] || fail "row a"
[ "$(col b status) $(col b epochs) $(col b attempts)" = "done 6 2" ] || fail "row b"
col b resumed_at | grep -Eq "^epoch [3-6] batch [0-9]+$" || fail "b resumed at '$(col b resumed_at)'"
[ "$(col c status)" = failed ] || fail "row c"
# The table's metrics are the fits' own last rows.
for s in a b; do
  want=$(awk -F, 'END { printf "%.6f %.6f", $7, $9 }' "$run/fits/$s/metrics.csv")
  got=$(printf "%.6f %.6f" "$(col $s psnr1)" "$(col $s psnr2)")
  [ "$want" = "$got" ] || fail "$s: cohort.csv PSNR $got, metrics.csv $want"
done
# cohort.md's mcinr PSNR c1 is the mean of the two.
mean=$(awk -F, 'NR > 1 && $3 == "done" { s += $10; n++ } END { printf "%.2f", s / n }' "$run/cohort.csv")
grep -q "^| mcinr | $mean ± " "$run/cohort.md" || fail "cohort.md does not show the mean PSNR $mean"
grep -q "^- c (index 3): .*c_c2_LR.nii.gz: no such file" "$run/cohort.md" || fail "cohort.md does not list the failure"
# report.html: a row per subject; the two done ones with a thumbnail of
# their slices.png (a PNG, shrunk to fit 360 x 240), the failed one without.
html=$run/report.html
[ "$(grep -c '<tr[^>]*><td class="thumb' "$html")" -eq 3 ] || fail "report.html does not have a row per subject"
[ "$(grep -o 'src="data:image/png;base64,' "$html" | wc -l)" -eq 2 ] || fail "report.html does not have two thumbnails"
grep -q '<tr class="failed"><td class="thumb empty">no finished fit</td><td>3</td><td>c</td><td>failed</td>' "$html" ||
  fail "report.html does not show c failed, without a thumbnail"
grep -q "c_c2_LR.nii.gz: no such file" "$html" || fail "report.html does not show the failure"
grep -m1 -o 'src="data:image/png;base64,[^"]*"' "$html" | sed 's/^src="data:image\/png;base64,//; s/"$//' |
  base64 -d > "$work/thumbnail.png"
[ "$(head -c 8 "$work/thumbnail.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "a thumbnail is not a PNG"
size=$(od -An -tu1 -j16 -N8 "$work/thumbnail.png" | awk '{ printf "%d %d", $3 * 256 + $4, $7 * 256 + $8 }')
slices=$(od -An -tu1 -j16 -N8 "$run/fits/a/slices.png" | awk '{ printf "%d %d", $3 * 256 + $4, $7 * 256 + $8 }')
[ "$size" = "$slices" ] || fail "a's thumbnail is $size, its slices.png $slices (small enough to stay as it is)"

# Submitting again would take only the failed subject, with this sbatch line.
"$mcinr" cohort submit "$run" --dry-run > "$work/dry-run.txt"
grep -q "^would submit array tasks 3 (1 subject; 2 done, 0 queued) with$" "$work/dry-run.txt" ||
  fail "submit --dry-run does not skip the done subjects"
grep -qF "  sbatch --parsable --array=3 $run/cohort.sbatch" "$work/dry-run.txt" ||
  grep -qF "  sbatch --parsable --array=3 '$run/cohort.sbatch'" "$work/dry-run.txt" ||
  fail "submit --dry-run does not print the sbatch command: $(cat "$work/dry-run.txt")"

# A done subject run again (a stray resubmission) is left as it is.
"$mcinr" cohort task "$run" 1 | grep -q "mcinr cohort task 1 (a): done already" || fail "task 1 ran again"
grep -q "^attempts = 1$" "$run/state/a.txt" || fail "task 1's state changed"
# A done subject whose output went missing is not done: status says so, and
# its task writes the output again from the checkpoint, without training.
cp "$run/fits/a/a_c2_desc-mcinr.nii.gz" "$work/a-c2.nii.gz"
rm "$run/fits/a/a_c2_desc-mcinr.nii.gz"
"$mcinr" cohort status "$run" | grep -Eq "^ +1  a +failed +its state file says done but .*a_c2_desc-mcinr.nii.gz is missing" ||
  fail "status counts a subject without its outputs as done"
"$mcinr" cohort task "$run" 1 > "$work/task-1-again.log"
cmp -s "$run/fits/a/a_c2_desc-mcinr.nii.gz" "$work/a-c2.nii.gz" || fail "the rewritten output differs"
! grep -q "step " "$work/task-1-again.log" || fail "the rewrite trained"
"$mcinr" cohort status "$run" | grep -q "3 subjects: 2 done, 1 failed" || fail "status after the rewrite"

# Refusals.
expect_error "already holds a cohort plan" "$mcinr" cohort plan --root "$work/root" --contrasts c1,c2 --out "$run"
mkdir -p "$work/empty"
expect_error "no subject folders \(no file named <id>_c1_LR.nii.gz below it\)" \
  "$mcinr" cohort plan --root "$work/empty" --contrasts c1,c2 --out "$work/run2"
printf 'epochs = 2\n[slurm]\npartitoin = gpu\n' > "$work/typo.ini"
expect_error "typo.ini: line 3: unrecognised option 'slurm.partitoin' in \[slurm\]" \
  "$mcinr" cohort plan --root "$work/root" --contrasts c1,c2 --config "$work/typo.ini" --out "$work/run2"
printf 'epoch = 2\n' > "$work/typo2.ini"
expect_error "typo2.ini: line 1: unrecognised option 'epoch'" \
  "$mcinr" cohort plan --root "$work/root" --contrasts c1,c2 --config "$work/typo2.ini" --out "$work/run2"
[ ! -e "$work/run2" ] || fail "a refused plan left a run folder"
# Subjects without ground truth need an output grid from the config.
mkdir -p "$work/nogt/a" && cp "$work/root/a/a_c1_LR.nii.gz" "$work/root/a/a_c2_LR.nii.gz" "$work/nogt/a/"
warnings=$("$mcinr" cohort plan --root "$work/nogt" --contrasts c1,c2 --config "$work/fit.ini" --out "$work/nogt-run" 2>&1 > /dev/null)
echo "$warnings" | grep -q "warning: subject a has no ground truth to take the output grid from, and .*fit.ini sets no 'spacing'" ||
  fail "no warning for a subject without ground truth or grid"
{ cat "$work/fit.ini" | sed '/^\[slurm\]/,$d'; echo 'spacing = 2'; } > "$work/grid.ini"
"$mcinr" cohort plan --root "$work/nogt" --contrasts c1,c2 --config "$work/grid.ini" --out "$work/nogt-run2" \
  > /dev/null 2> "$work/stderr.txt"
! grep -v -e "^mcinr: warning: Kokkos runs OpenMP" -e "warning: the tasks will run" "$work/stderr.txt" ||
  fail "a warning although the config gives the grid"
"$mcinr" cohort task "$work/nogt-run2" 1 > /dev/null
[ -f "$work/nogt-run2/fits/a/a_c1_desc-mcinr.nii.gz" ] || fail "the subject without ground truth did not fit"
expect_error "--contrasts needs two names" "$mcinr" cohort plan --root "$work/root" --contrasts c1 --out "$work/run2"
expect_error "not a cohort run folder" "$mcinr" cohort status "$work/root"
expect_error "no subject with index 7" "$mcinr" cohort task "$run" 7
echo "cohort without a cluster: all checks passed"
