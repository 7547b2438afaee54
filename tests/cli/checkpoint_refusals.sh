#!/bin/sh
# A checkpoint in the output folder is never lost: a corrupt one is refused
# (one error line, exit status 2) and left as it was, and a good one is not
# overwritten by a fit without --resume; earlier results and the inputs are
# not overwritten either.
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
# Results without a checkpoint are not replaced unasked; --overwrite does.
small="--epochs 1 --hidden 16 --layers 1 --head-hidden 8 --fourier-features 8"
mkdir -p "$work/results"
echo "earlier" > "$work/results/summary.json"
"$here/expect_error.sh" 2 "results.*holds the results of another fit \(summary.json\): choose another --out, or give --overwrite$" - \
  "$mcinr" fit --subject "$subject" --contrasts c1,c2 $small --out "$work/results" || fail "earlier results"
[ "$(cat "$work/results/summary.json")" = earlier ] || fail "the earlier results were overwritten"
"$mcinr" fit --subject "$subject" --contrasts c1,c2 $small --out "$work/results" --overwrite > /dev/null ||
  fail "--overwrite was refused"
grep -q '"epochs_done": 1' "$work/results/summary.json" || fail "--overwrite did not write the new fit"
# infer: never into a fit's folder, never over an earlier infer unasked.
"$here/expect_error.sh" 2 "results holds a fit \(summary.json\): its volumes would be replaced; choose another --out$" - \
  "$mcinr" infer --checkpoint "$work/results/checkpoint.h5" --spacing 2 --out "$work/results" || fail "infer into the fit"
"$mcinr" infer --checkpoint "$work/results/checkpoint.h5" --spacing 2 --out "$work/infer" > /dev/null || fail "infer"
"$here/expect_error.sh" 2 "infer/[^/]*_c1_desc-mcinr.nii.gz exists: choose another --out, or give --overwrite$" - \
  "$mcinr" infer --checkpoint "$work/results/checkpoint.h5" --spacing 2 --out "$work/infer" || fail "infer twice"
"$mcinr" infer --checkpoint "$work/results/checkpoint.h5" --spacing 2 --out "$work/infer" --overwrite > /dev/null ||
  fail "infer --overwrite"
# A fit's output onto one of its inputs: image2 b.nii.gz is written as
# b_desc-mcinr.nii.gz, the name of image1.
cp "$subject"/*_c1_LR.nii.gz "$work/b_desc-mcinr.nii.gz"
cp "$subject"/*_c2_LR.nii.gz "$work/b.nii.gz"
"$here/expect_error.sh" 2 "b_desc-mcinr.nii.gz: this output is also an input of the command \(.*b_desc-mcinr.nii.gz\); choose another output$" - \
  "$mcinr" fit --image1 "$work/b_desc-mcinr.nii.gz" --image2 "$work/b.nii.gz" --spacing 2 $small --out "$work" ||
  fail "output onto an input"
cmp -s "$subject"/*_c1_LR.nii.gz "$work/b_desc-mcinr.nii.gz" || fail "the input was changed"
echo "all checks passed"
