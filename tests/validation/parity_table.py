#!/usr/bin/python3
"""Side-by-side per-epoch table of the reference and mcinr over seeds.

  tests/validation/parity_table.py OUT PAIR [PAIR ...]

Reads OUT/harness/results/ref_<pair>_s<seed>/results.json (the reference, run
by ../shared/tools/reference-harness) and OUT/mc_<pair>_s<seed>/metrics.csv
(mcinr), for every seed found, and prints per pair a markdown table: per
epoch the mean and the min-max over seeds of PSNR, SSIM (both contrasts) and
MI(pred1, pred2), then the parity rule of issue 10: mcinr's mean SSIM within
the reference's seed range (or within 0.001 of it) at every epoch, and its
mean PSNR within the reference's PSNR range. Exit status 1 when a rule fails.
"""
import csv
import glob
import json
import os
import re
import sys

KEYS = ["psnr1", "ssim1", "psnr2", "ssim2", "mi"]
NAMES = {"psnr1": "PSNR c1", "ssim1": "SSIM c1", "psnr2": "PSNR c2", "ssim2": "SSIM c2", "mi": "MI(pred1,pred2)"}


def reference_runs(out, pair):
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "harness", "results", f"ref_{pair}_s*", "results.json"))):
        seed = int(re.search(r"_s(\d+)$", os.path.dirname(path)).group(1))
        r = json.load(open(path))
        runs[seed] = [{"psnr1": e["contrast1_psnr"], "ssim1": e["contrast1_ssim"], "psnr2": e["contrast2_psnr"],
                       "ssim2": e["contrast2_ssim"], "mi": e["mutual_information"], "loss": e["mean_batch_loss"]}
                      for e in r["epochs"]]
    return runs


def mcinr_runs(out, pair):
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, f"mc_{pair}_s*", "metrics.csv"))):
        seed = int(re.search(r"_s(\d+)$", os.path.dirname(path)).group(1))
        runs[seed] = [{"psnr1": float(r["psnr1"]), "ssim1": float(r["ssim1"]), "psnr2": float(r["psnr2"]),
                       "ssim2": float(r["ssim2"]), "mi": float(r["mi_pred"]), "loss": float(r["loss"])}
                      for r in csv.DictReader(open(path))]
    return runs


def stats(runs, epoch, key):
    values = [r[epoch][key] for r in runs.values() if len(r) > epoch]
    return sum(values) / len(values), min(values), max(values)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    failed = False
    for pair in sys.argv[2:]:
        ref, ours = reference_runs(out, pair), mcinr_runs(out, pair)
        if not ref or not ours:
            print(f"pair {pair}: no finished runs (reference {len(ref)}, mcinr {len(ours)})")
            failed = True
            continue
        epochs = min(min(len(r) for r in ref.values()), min(len(r) for r in ours.values()))
        print(f"\npair {pair}: reference seeds {sorted(ref)}, mcinr seeds {sorted(ours)}; mean (min-max)\n")
        print("| epoch | | " + " | ".join(NAMES[k] for k in KEYS) + " | mean batch loss |")
        print("|---|---|" + "---|" * (len(KEYS) + 1))
        for e in range(epochs):
            for who, runs in (("reference", ref), ("mcinr", ours)):
                cells = []
                for k in KEYS:
                    m, lo, hi = stats(runs, e, k)
                    digits = 2 if k.startswith("psnr") else 4
                    cells.append(f"{m:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})")
                cells.append(f"{stats(runs, e, 'loss')[0]:.4e}")
                print(f"| {e + 1 if who == 'reference' else ''} | {who} | " + " | ".join(cells) + " |")
        print(f"\nparity rule, pair {pair}:")
        for e in range(epochs):
            notes = []
            for k in ("ssim1", "ssim2"):
                m = stats(ours, e, k)[0]
                _, lo, hi = stats(ref, e, k)
                gap = max(lo - m, m - hi, 0)
                ok = gap <= 0.001
                failed |= not ok
                notes.append(f"{NAMES[k]} {m:.4f} vs [{lo:.4f}, {hi:.4f}] {'ok' if ok else 'OUT by %.4f' % gap}")
            for k in ("psnr1", "psnr2"):
                m = stats(ours, e, k)[0]
                _, lo, hi = stats(ref, e, k)
                ok = lo <= m <= hi
                failed |= not ok
                notes.append(f"{NAMES[k]} {m:.2f} vs [{lo:.2f}, {hi:.2f}] {'ok' if ok else 'OUT'}")
            print(f"  epoch {e + 1}: " + "; ".join(notes))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
