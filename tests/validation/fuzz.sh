#!/usr/bin/env bash
# Fuzzes mcinr's readers with libFuzzer (Debian's clang), under ASan+UBSan:
# the NIfTI reader (and register's header rewrite), the checkpoint reader
# (with the checks infer and resume make), the PNG reader (cohort
# thumbnails), the INI config, a cohort task's state file, the run folder's
# manifest and ITK transform files. Each target runs SECONDS (default 300)
# from its seeds: the committed text seeds (tests/fuzz/corpus/<target>), or
# for nifti, checkpoint and png the files the tests make (test volumes, two
# small fits, make_png_seeds); a copy
# grows in the work folder.
# Prints a table of executions and crashes per target (docs/reliability.md);
# a crash's input is kept under WORK/<target>/crashes/: once fixed, make a
# test that builds such an input (image and checkpoint files are never
# committed).
#   tests/validation/fuzz.sh [SECONDS] [WORK]
# Env: MCINR_FUZZ_BUILD (default build-fuzz), MCINR_FUZZ_JOBS (targets run at
# once; default the core count), MCINR_FUZZ_TARGETS (default all six).
set -euo pipefail
seconds=${1:-300}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/mcinr-fuzz-run-XXXXXX")}
build=${MCINR_FUZZ_BUILD:-$src/build-fuzz}
jobs=${MCINR_FUZZ_JOBS:-$(nproc)}
targets=(${MCINR_FUZZ_TARGETS:-nifti checkpoint png config task_state manifest transform})
command -v clang++ > /dev/null || { echo "fuzz.sh needs clang (apt-get install clang)"; exit 77; }

cmake -S "$src" -B "$build" -DMCINR_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$work.configure.log"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz-}" mcinr make_test_volumes make_test_subject make_png_seeds \
  > "$work.build.log"
ctest --test-dir "$build" -R 'cli.make_volumes|fit.make_subject|fuzz.make_checkpoint_seeds|fuzz.make_png_seeds' \
  > "$work.seeds.log"
seeds() {
  case $1 in
    nifti) echo "$build/tests/cli-volumes" ;;
    checkpoint) echo "$build/tests/fuzz/seeds/checkpoint" ;;
    png) echo "$build/tests/fuzz/png-seeds" ;;
    *) echo "$src/tests/fuzz/corpus/$1" ;;
  esac
}

export ASAN_OPTIONS=detect_leaks=1:detect_container_overflow=0:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$src/tests/fuzz/lsan.supp  # HDF5's own leaks on corrupt files
run_target() {
  local t=$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/crashes"
  cp "$(seeds "$t")"/* "$dir/corpus/"
  # -timeout: an input running longer is a hang; -rss_limit_mb: a memory
  # blow-up. -malloc_limit_mb is above it: HDF5 reserves up to 4 GB for an
  # object header a damaged file declares, and never touches it (peak RSS of
  # mcinr infer on such a file: 25 MB).
  "$build/tests/fuzz/fuzz-$t" "$dir/corpus" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -malloc_limit_mb=8192 \
    -max_len=65536 -artifact_prefix="$dir/crashes/" -print_final_stats=1 > "$dir/log" 2>&1 || true
}
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

echo "| target | seconds | executions | corpus | crashes, hangs, leaks, memory |"
echo "|---|---|---|---|---|"
status=0
for t in "${targets[@]}"; do
  dir=$work/$t
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$dir/log" | grep -oE "[0-9]+$" || echo "?")
  found=$(find "$dir/crashes" -type f | wc -l)
  echo "| $t | $seconds | $runs | $(ls "$dir/corpus" | wc -l) | $found |"
  [ "$found" -eq 0 ] || { status=1; find "$dir/crashes" -type f | sed 's/^/    /'; }
done
echo "logs and corpora: $work"
exit $status
