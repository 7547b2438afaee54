#!/bin/sh
# mcinr register end to end on the synthetic head (no ../shared needed):
#   register_synthetic.sh MCINR RIGID_TOOL DIR
# The aligned pair passes the alignment check; the coronal scan's header
# moved by 3 degrees and 3.9 mm is flagged, registered back within 0.5 mm
# and 0.5 degrees over the head (its voxels untouched, the .tfm the motion);
# outputs are not replaced without --overwrite.
mcinr=$1 tool=$2 dir=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot make $dir"
"$tool" head "$dir" > /dev/null || fail "head"
fixed=$dir/head_c1_axial.nii.gz original=$dir/head_c2_coronal.nii.gz moved=$dir/moved.nii.gz

"$mcinr" register --fixed "$fixed" --moving "$original" --check-only > "$dir/check.log" || fail "check-only"
grep -q "no sign of misalignment" "$dir/check.log" || fail "the aligned pair was flagged: $(cat "$dir/check.log")"
[ ! -e "$dir/out" ] || fail "--check-only wrote something"

"$tool" move "$original" "$moved" 2 -2 1 3 2 -1.5 > /dev/null || fail "move"
"$mcinr" register --fixed "$fixed" --moving "$moved" --out "$dir/out" > "$dir/register.log" || fail "register"
cat "$dir/register.log"
grep -Eq "alignment check .*look misaligned by about [2-5]\.[0-9] mm" "$dir/register.log" ||
  fail "the moved pair was not flagged"
grep -Eq "mutual information 0\.[0-9]+ -> 0\.[0-9]+ nats" "$dir/register.log" || fail "no MI line"
"$tool" compare "$original" "$dir/out/moved.nii.gz" 0.5 0.5 || fail "the corrected header is not the original one"
"$tool" transform "$dir/out/moved_to_head_c1_axial.tfm" "$original" "$moved" 0.5 0.5 ||
  fail "the transform file is not the motion"

# An existing output is kept unless --overwrite.
before=$(cksum < "$dir/out/moved.nii.gz")
err=$("$mcinr" register --fixed "$fixed" --moving "$moved" --out "$dir/out" 2>&1 > /dev/null)
code=$?
[ "$code" -eq 2 ] || fail "a second register without --overwrite exited $code"
echo "$err" | grep -Eq "^mcinr: error: .*moved.nii.gz exists: choose another --out, or give --overwrite$" ||
  fail "unexpected refusal: $err"
[ "$(cksum < "$dir/out/moved.nii.gz")" = "$before" ] || fail "the refused run changed the output"
"$mcinr" register --fixed "$fixed" --moving "$moved" --out "$dir/out" --overwrite > /dev/null || fail "--overwrite"
[ "$(cksum < "$dir/out/moved.nii.gz")" = "$before" ] || fail "the same inputs gave another output"
echo "all checks passed"
