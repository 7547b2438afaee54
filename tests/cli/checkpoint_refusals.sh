#!/bin/sh
# A checkpoint in the output folder is never lost: a corrupt one is refused
# (one error line, exit status 2) and left as it was, and a good one is not
# overwritten by a fit without --resume.
#   checkpoint_refusals.sh MCINR SUBJECT_DIR WORK_DIR
mcinr=$1 subject=$2 work=$3
here=$(dirname "$0")
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work/corrupt" "$work/exists"
echo garbage > "$work/corrupt/checkpoint.h5"
"$here/expect_error.sh" 2 "^mcinr: error: .*checkpoint.h5: not a valid mcinr checkpoint \(not an HDF5 file\)$" - \
  "$mcinr" fit --subject "$subject" --contrasts c1,c2 --epochs 1 --hidden 16 --layers 1 --out "$work/corrupt" --resume ||
  fail "corrupt checkpoint"
[ "$(cat "$work/corrupt/checkpoint.h5")" = garbage ] || fail "the corrupt checkpoint was changed"
[ "$(ls "$work/corrupt" | wc -l)" -eq 1 ] || fail "something was written beside the corrupt checkpoint"
echo keep > "$work/exists/checkpoint.h5"
"$here/expect_error.sh" 2 "checkpoint.h5 exists: continue it with --resume, or choose another --out" - \
  "$mcinr" fit --subject "$subject" --contrasts c1,c2 --epochs 1 --out "$work/exists" || fail "existing checkpoint"
[ "$(cat "$work/exists/checkpoint.h5")" = keep ] || fail "the existing checkpoint was overwritten"
echo "all checks passed"
