#!/usr/bin/env python3
"""Expected values for tests/test_metrics.cpp, by an independent route:
numpy and scikit-image (Debian: python3-numpy, python3-skimage), with the
reference implementation's metric definitions (../shared/docs/method.md).

The volumes are closed-form, so the C++ test makes the same ones itself
(float32, x fastest); this script prints the values the test asserts.
Run: python3 tests/reference/metrics_reference.py
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

NX, NY, NZ = 20, 18, 16


def volumes():
    # index arrays in (x, y, z) order; values computed in float64, stored float32
    i, j, k = np.meshgrid(np.arange(NX), np.arange(NY), np.arange(NZ), indexing="ij")
    truth = 100 + 50 * np.sin(0.3 * i) * np.cos(0.2 * j) + 20.0 * k / NZ
    pred = truth + 5 * np.sin(1.7 * i + 0.9 * j + 0.4 * k)
    other = 30 + 10 * np.cos(0.25 * i + 0.1 * k) * np.sin(0.35 * j) + 0.5 * truth
    mask = ((i - 9.5) / 8) ** 2 + ((j - 8.5) / 7) ** 2 + ((k - 7.5) / 6) ** 2 <= 1
    return truth.astype(np.float32), pred.astype(np.float32), other.astype(np.float32), mask


def normalize(x, mask):
    # shift by the minimum inside the mask, divide by the maximum, times the mask
    x = x.astype(np.float64)
    x = x - x[mask].min()
    x = x / x.max()
    return x * mask


def mutual_information(a, b, mask, bins=32):
    joint, _, _ = np.histogram2d(a[mask].astype(np.float64), b[mask].astype(np.float64), bins=bins)
    p = joint / joint.sum()
    px, py = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / np.outer(px, py)[nz])))


def main():
    truth, pred, other, mask = volumes()
    gt_n, pred_n = normalize(truth, mask), normalize(pred, mask)
    print("mask voxels      ", int(mask.sum()))
    print("psnr_reference   ", repr(peak_signal_noise_ratio(gt_n, pred_n, data_range=1)))
    print("ssim_reference   ", repr(structural_similarity(gt_n, pred_n, data_range=1, win_size=7,
                                                          use_sample_covariance=True)))
    print("mi(pred, truth)  ", repr(mutual_information(pred, truth, mask)))
    print("mi(truth, other) ", repr(mutual_information(truth, other, mask)))
    print("mi16(truth,other)", repr(mutual_information(truth, other, mask, bins=16)))
    print("mi(no mask)      ", repr(mutual_information(truth, other, np.ones_like(mask))))


if __name__ == "__main__":
    main()
