#!/usr/bin/env bash
# Renders the HTML reports in headless Chromium, to look at them: a fit
# report of a short fit of the generated phantom subject (make_test_report:
# linear interpolation, the fit and the ground truth per contrast, the fit's
# curves and settings), and a cohort report (`mcinr cohort collect` of a
# two-subject run, one fitted, one failing). With ../shared present, also a
# report of the real BraTS subject's interpolation and ground truth (no fit),
# whose page size it prints. Pages and screenshots go to OUT (never
# committed); Chromium (Debian's `chromium`) is installed where missing.
#   tests/validation/report_screenshots.sh OUT
# Env: MCINR_BUILD (default build): a build with mcinr, make_test_subject and
# make_test_report.
set -euo pipefail
out=${1:?usage: report_screenshots.sh OUT}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${MCINR_BUILD:-$src/build}
mcinr=$build/drivers/mcinr
mkdir -p "$out"
out=$(cd "$out" && pwd)
for tool in "$mcinr" "$build/tests/make_test_subject" "$build/tests/make_test_report"; do
  [ -x "$tool" ] || { echo "missing $tool: cmake --build $build --target mcinr make_test_subject make_test_report"; exit 1; }
done
if ! command -v chromium > /dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y --no-install-recommends chromium
fi

shot() {  # page.html shot.png width height
  # --virtual-time-budget lets the page lay out fully before the capture.
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=2000 \
    --window-size="$3,$4" --screenshot="$2" "file://$1" 2> /dev/null
  [ -s "$2" ] || { echo "no screenshot $2"; exit 1; }
  echo "screenshot $2 ($3 x $4) of $1 ($(stat -c %s "$1") bytes)"
}

# A fit report: the 48^3 phantom, a short fit scored every 10 epochs.
rm -rf "$out/subject" "$out/fit"
"$build/tests/make_test_subject" "$out/subject" 48 > /dev/null
"$mcinr" fit --subject "$out/subject" --contrasts c1,c2 --epochs 60 --eval-every 10 --hidden 64 --layers 2 \
  --head-hidden 32 --fourier-features 32 --fourier-scale 2 --batch-size 500 --lr 3e-3 --out "$out/fit" > /dev/null
"$build/tests/make_test_report" "$out/fit-report.html" "$out/subject" phantom c1 c2 "$out/fit"
shot "$out/fit-report.html" "$out/fit-report.png" 1280 3400

# A cohort report: subject a fits, subject b lacks its c2 scan and fails.
rm -rf "$out/root" "$out/run"
for s in "a 0,0,0,40,40,40" "b 4,4,4,44,44,44"; do
  set -- $s
  "$mcinr" prepare --subject-id "$1" --hr1 "$out/subject/phantom_c1.nii.gz" --hr2 "$out/subject/phantom_c2.nii.gz" \
    --c1 c1 --c2 c2 --crop "$2" --out "$out/root/$1" > /dev/null
done
rm "$out/root/b/b_c2_LR.nii.gz"
printf 'epochs = 20\nhidden = 64\nlayers = 2\nfourier-features = 32\nbatch-size = 500\nlr = 3e-3\n' > "$out/fit.ini"
"$mcinr" cohort plan --root "$out/root" --contrasts c1,c2 --config "$out/fit.ini" --out "$out/run" > /dev/null 2>&1
"$mcinr" cohort task "$out/run" 1 > /dev/null
"$mcinr" cohort task "$out/run" 2 > /dev/null 2>&1 || true
# Subject a's own fit report, so that the cohort page links to it.
"$build/tests/make_test_report" "$out/run/fits/a/report.html" "$out/root/a" a c1 c2 "$out/run/fits/a" > /dev/null
"$mcinr" cohort collect "$out/run" > /dev/null
shot "$out/run/report.html" "$out/cohort-report.png" 1280 1100

# Real data, where ../shared holds it: page size at 240x240x155.
brats=$src/../shared/data/brats2023-gli-00001-000/prepared-t1c-t2f
if [ -d "$brats" ]; then
  "$build/tests/make_test_report" "$out/brats-report.html" "$brats" BraTS-GLI-00001-000 t1c t2f
  shot "$out/brats-report.html" "$out/brats-report.png" 1280 1500
fi
