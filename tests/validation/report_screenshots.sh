#!/usr/bin/env bash
# Renders the HTML reports in headless Chromium, to look at them: the
# report.html a short fit of the generated phantom subject writes (linear
# interpolation, the fit and the ground truth per contrast, the fit's curves,
# geometry, notes and settings), and a cohort report (`mcinr cohort collect`
# of a two-subject run, one fitted, one failing). With ../shared present,
# also the report of a fit of issue 13's clinical pair (tests/clinical_pair.sh's
# scans: no ground truth, the FLAIR's field of view cut), and a report of the
# real BraTS subject's interpolation and ground truth (no fit,
# make_test_report), whose page sizes it prints. Pages and screenshots go to OUT (never
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
shot "$out/fit/report.html" "$out/fit-report.png" 1280 3400

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
# (Subject a's fit wrote its own report.html: the cohort page links to it.)
"$mcinr" cohort collect "$out/run" > /dev/null
shot "$out/run/report.html" "$out/cohort-report.png" 1280 1100

# Real data, where ../shared holds it: the clinical pair's fit (1 mm grid of
# both fields of view, no ground truth), and page size at 240x240x155.
raw=$src/../shared/data/brats2023-gli-00001-000
if [ -d "$raw" ]; then
  rm -rf "$out/clinical" && mkdir -p "$out/clinical"
  "$mcinr" simulate --in "$raw"/*-t2f.nii.gz --out "$out/clinical/sub-01_FLAIR.nii.gz" --orientation LAS --view axial \
    --in-plane 0.94 --thickness 5 --fov 240,240,120 --rotate 10,0,0 --shift 0,-5,-14 --noise 0.03 \
    --intensity-max 4095 --dtype int16 --seed 1 > /dev/null
  "$mcinr" simulate --in "$raw"/*-t2w.nii.gz --out "$out/clinical/sub-01_T2w.nii.gz" --orientation LIA --view coronal \
    --in-plane 0.9 --thickness 4 --fov 230,200,220 --rotate 0,6,-4 --shift 3,8,-6 --noise 0.03 \
    --intensity-max 4095 --dtype int16 --seed 2 > /dev/null
  "$mcinr" fit --image1 "$out/clinical/sub-01_FLAIR.nii.gz" --image2 "$out/clinical/sub-01_T2w.nii.gz" --spacing 1 \
    --preset fast-cpu --time-budget 4m --out "$out/clinical/fit" > "$out/clinical/fit.log"
  shot "$out/clinical/fit/report.html" "$out/clinical-report.png" 1280 3800
fi
brats=$raw/prepared-t1c-t2f
if [ -d "$brats" ]; then
  "$build/tests/make_test_report" "$out/brats-report.html" "$brats" BraTS-GLI-00001-000 t1c t2f
  shot "$out/brats-report.html" "$out/brats-report.png" 1280 1500
fi
