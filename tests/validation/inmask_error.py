#!/usr/bin/python3
"""The error itself, without the reference's normalisation: RMSE inside a
brain mask, in the volumes' own units, and the PSNR it gives over the
truth's in-mask range. For outputs that keep the scans' units (mcinr's
corrected volumes, `mcinr baseline` interpolations), where the reference's
min / max scaling moves with single voxels (docs/quality.md, Slice profile).

  tests/validation/inmask_error.py --gt GT.nii.gz --mask MASK.nii.gz NAME=VOLUME.nii.gz ...

Needs python3-nibabel and python3-numpy.
"""
import argparse

import nibabel as nib
import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gt", required=True)
    ap.add_argument("--mask", required=True)
    ap.add_argument("volumes", nargs="+", help="NAME=PATH, on the truth's grid")
    a = ap.parse_args()
    mask = np.asarray(nib.load(a.mask).dataobj) > 0
    gt = np.asarray(nib.load(a.gt).dataobj, dtype=np.float64)[mask]
    span = gt.max() - gt.min()
    print(f"{'':32s} {'in-mask RMSE':>12s} {'PSNR':>6s} {'in-mask min':>11s} {'max':>9s}")
    for item in a.volumes:
        name, path = item.split("=", 1)
        v = np.asarray(nib.load(path).dataobj, dtype=np.float64)[mask]
        rmse = np.sqrt(np.mean((v - gt) ** 2))
        print(f"{name:32s} {rmse:12.1f} {20 * np.log10(span / rmse):6.2f} {v.min():11.1f} {v.max():9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
