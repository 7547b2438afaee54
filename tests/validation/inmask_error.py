#!/usr/bin/python3
"""The error itself, without the reference's normalisation: RMSE inside a
brain mask, in the volumes' own units, and the PSNR it gives over the
truth's in-mask range. For outputs that keep the scans' units (mcinr's
corrected volumes, `mcinr baseline` interpolations), where the reference's
min / max scaling moves with single voxels (docs/quality.md, Slice profile).
With --scan (the low-resolution scan the volumes came from), also the
reference's PSNR of each volume as it is and with the brain floor applied
(inside the mask, lifted to the lowest intensity the scan measured there:
its voxels whose centres' nearest grid voxel is in the mask), so that an
interpolation can be compared with a floored fit on equal terms.

  tests/validation/inmask_error.py --gt GT.nii.gz --mask MASK.nii.gz [--scan LR.nii.gz] NAME=VOLUME.nii.gz ...

Needs python3-nibabel and python3-numpy.
"""
import argparse

import nibabel as nib
import numpy as np


def reference_psnr(pred, gt, mask):
    """The reference's PSNR: each volume min-max scaled over the whole
    volume, shifted by its minimum inside the mask, divided by its maximum,
    masked; PSNR at data range 1."""
    def scaled(v):
        v = (v - v.min()) / (v.max() - v.min())
        v = v - v[mask].min()
        return v / v.max() * mask
    return 10 * np.log10(1 / np.mean((scaled(pred) - scaled(gt)) ** 2))


def lowest_measured(scan_path, mask_image):
    """The lowest intensity of the scan's voxels whose centres' nearest voxel
    of the mask's grid lies in the mask."""
    scan = nib.load(scan_path)
    values = np.asarray(scan.dataobj, dtype=np.float64)
    mask = np.asarray(mask_image.dataobj) > 0
    index = np.indices(values.shape).reshape(3, -1)
    world_to_mask = np.linalg.inv(mask_image.affine) @ scan.affine
    at = np.rint(world_to_mask[:3, :3] @ index + world_to_mask[:3, 3:]).astype(int)
    inside = np.all((at >= 0) & (at < np.array(mask.shape)[:, None]), axis=0)
    hit = np.zeros(index.shape[1], bool)
    hit[inside] = mask[at[0, inside], at[1, inside], at[2, inside]]
    return values.reshape(-1)[hit].min()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gt", required=True)
    ap.add_argument("--mask", required=True)
    ap.add_argument("--scan", help="the low-resolution scan: adds the reference's PSNR, as is and floored")
    ap.add_argument("volumes", nargs="+", help="NAME=PATH, on the truth's grid")
    a = ap.parse_args()
    mask_image = nib.load(a.mask)
    mask = np.asarray(mask_image.dataobj) > 0
    truth = np.asarray(nib.load(a.gt).dataobj, dtype=np.float64)
    gt = truth[mask]
    span = gt.max() - gt.min()
    floor = lowest_measured(a.scan, mask_image) if a.scan else None
    head = f"{'':32s} {'in-mask RMSE':>12s} {'PSNR':>6s} {'in-mask min':>11s} {'max':>9s}"
    if a.scan:
        head += f" {'ref PSNR':>8s} {'floored':>8s}"
        print(f"brain floor: {floor:.6g} (the lowest the scan measured inside the mask)")
    print(head)
    for item in a.volumes:
        name, path = item.split("=", 1)
        volume = np.asarray(nib.load(path).dataobj, dtype=np.float64)
        v = volume[mask]
        rmse = np.sqrt(np.mean((v - gt) ** 2))
        line = f"{name:32s} {rmse:12.1f} {20 * np.log10(span / rmse):6.2f} {v.min():11.1f} {v.max():9.1f}"
        if a.scan:
            floored = volume.copy()
            floored[mask] = np.maximum(floored[mask], floor)
            line += f" {reference_psnr(volume, truth, mask):8.2f} {reference_psnr(floored, truth, mask):8.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
