#!/usr/bin/python3
"""Whole epochs of the reference and of mcinr from one start, on one stream
of batches: is a gap between their seed means the arithmetic or the draws?

reference_steps.py compares 20 steps. Over thousands of float32 steps two
runs of the same arithmetic part (a ReLU input within rounding of 0 switches
in one and not in the other), so a single trajectory cannot be compared to
the last digit. What can be compared is whether mcinr's losses stay as close
to the reference's as the reference's own stay to a copy of itself that only
rounds differently. Three runs start from the reference's initial weights
and Fourier matrix for a seed (drawn as its main.py draws them) and take the
same batches (torch.randperm per epoch, as DataLoader(shuffle=True)) with the
reference's cosine schedule (lr per epoch):

  reference  the reference's modules (model.py's MLPv2, utils.py's
             input_mapping, imported unmodified), float32, 1 thread;
  control    the same, with each batch's samples in another order (the same
             loss; only the rounding differs);
  mcinr      tests/step_replay: mcinr's Fourier encoding, MLP, loss and Adam.

It prints each epoch's mean batch loss (both contrasts' and each one's) for
the three, and how far mcinr and the control lie from the reference. The
three run at once (one thread each).

  tests/validation/reference_epochs.py --step-replay build/tests/step_replay \\
      --subject DIR --subject-id ID --c1 t1n --c2 t2w --seed 12 [--epochs 3]

Needs what reference_steps.py needs (Debian's python3-torch and friends, the
reference repository brought with `fetch`: UPSTREAM_GIT_DIR or --upstream)
and about 4 floats x 4 bytes per sample and epoch of disk in the working
folder (220 MB for 3 epochs of a BraTS pair).
"""
import copy
import math
import multiprocessing
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_steps import common_arguments, contrast_first_batch, mcinr_layout, prepare_work  # noqa: E402


def run_reference(model, B, ds, orders, lrs, batch, reorder_seed, path):
    """The reference's steps over the given epochs; writes per step the loss
    and the two contrasts' mean squared errors to path. reorder_seed: None
    for the batches as drawn, else each batch's samples are permuted (within
    each contrast) by a generator with that seed."""
    import torch
    from utils import input_mapping
    torch.set_num_threads(1)
    mapper = input_mapping(B=torch.tensor(B))
    optimizer = torch.optim.Adam(model.parameters(), lr=lrs[0])
    mse = torch.nn.MSELoss()
    g = None if reorder_seed is None else torch.Generator().manual_seed(reorder_seed)
    with open(path, "w") as f:
        for order, lr in zip(orders, lrs):
            for group in optimizer.param_groups:
                group["lr"] = lr
            for s in range(0, len(order), batch):
                x, y1, y2 = contrast_first_batch(ds, order[s:s + batch])
                y, n1 = torch.cat((y1, y2)), len(y1)
                if g is not None:
                    swap = torch.cat((torch.randperm(n1, generator=g), n1 + torch.randperm(len(x) - n1, generator=g)))
                    x, y = x[swap], y[swap]
                out = model(mapper(x))
                l1, l2 = mse(out[:n1, 1:2], y[:n1]), mse(out[n1:, 0:1], y[n1:])
                loss = l1 + l2
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                f.write(f"{loss.item():.9g} {l1.item():.9g} {l2.item():.9g}\n")


def main():
    ap = common_arguments(__doc__)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batches", type=int, default=0, help="batches per epoch (default: all, as a fit)")
    ap.add_argument("--work", help="working folder (default: a new temporary one)")
    a = ap.parse_args()
    work, stage = prepare_work(a, "mcinr_refepochs_")
    import torch
    torch.set_num_threads(1)
    from dataset import MultiModalDataset  # the reference's, unmodified
    from model import MLPv2

    ds = MultiModalDataset(image_dir=stage, name="epochs", subject_id=a.subject_id,
                           contrast1_LR_str=f"{a.c1}_LR", contrast2_LR_str=f"{a.c2}_LR")
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    B = np.random.normal(scale=a.scale, size=(a.features, 3)).astype(np.float32)  # as main.py draws it
    model = MLPv2(input_size=2 * a.features, output_size=2, hidden_size=a.hidden, num_layers=a.layers, dropout=0.0)
    p0, _ = mcinr_layout(model, a.layers)
    B.tofile(os.path.join(work, "fourier.f32"))
    p0.tofile(os.path.join(work, "params.f32"))
    with open(os.path.join(work, "setup.txt"), "w") as f:
        f.write(f"{a.features} {a.hidden} {a.layers} {a.hidden // 2} {a.lr!r}\n")

    # The batches: one permutation per epoch; torch's CosineAnnealingLR, stepped per epoch.
    n_all = len(ds)
    g = torch.Generator().manual_seed(a.seed)
    per_epoch = n_all if a.batches == 0 else min(n_all, a.batches * a.batch)
    orders = [torch.randperm(n_all, generator=g)[:per_epoch] for _ in range(a.epochs)]
    lrs = [a.lr * (1 + math.cos(math.pi * e / a.epochs)) / 2 for e in range(a.epochs)]
    steps_per_epoch = (per_epoch + a.batch - 1) // a.batch
    print(f"{n_all} samples, {a.epochs} epochs of {steps_per_epoch} batches, lr per epoch "
          + ", ".join(f"{lr:.3g}" for lr in lrs), flush=True)
    with open(os.path.join(work, "batches.f32"), "wb") as fb, open(os.path.join(work, "counts.txt"), "w") as fc:
        for order, lr in zip(orders, lrs):
            for s in range(0, len(order), a.batch):
                x, y1, y2 = contrast_first_batch(ds, order[s:s + a.batch])
                fc.write(f"{len(y1)} {len(y2)} {lr!r}\n")
                np.concatenate([x.numpy().ravel(), y1.numpy().ravel(), y2.numpy().ravel()]).astype(
                    np.float32).tofile(fb)

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    mcinr = subprocess.Popen([a.step_replay, "steps", work], env=env)
    control = multiprocessing.Process(target=run_reference, args=(
        copy.deepcopy(model), B, ds, orders, lrs, a.batch, a.seed + 1000, os.path.join(work, "control_losses.txt")))
    control.start()
    run_reference(model, B, ds, orders, lrs, a.batch, None, os.path.join(work, "reference_losses.txt"))
    control.join()
    if mcinr.wait() != 0 or control.exitcode != 0:
        sys.exit("a run failed")

    ref = np.loadtxt(os.path.join(work, "reference_losses.txt"), ndmin=2)
    ctl = np.loadtxt(os.path.join(work, "control_losses.txt"), ndmin=2)
    mc = np.concatenate([np.loadtxt(os.path.join(work, "mcinr_losses.txt"), ndmin=2),
                         np.loadtxt(os.path.join(work, "mcinr_contrast_losses.txt"), ndmin=2)], axis=1)
    print("\nmean batch loss per epoch (both contrasts | contrast 1 | contrast 2); control and mcinr also as"
          " their difference from the reference, in %")
    for e in range(a.epochs):
        part = slice(e * steps_per_epoch, (e + 1) * steps_per_epoch)
        r, c, m = ref[part].mean(axis=0), ctl[part].mean(axis=0), mc[part].mean(axis=0)
        print(f"epoch {e + 1} (lr {lrs[e]:.3g})")
        print("  reference " + " | ".join(f"{v:.5e}" for v in r))
        for name, v in (("control", c), ("mcinr", m)):
            print(f"  {name:9s} " + " | ".join(f"{x:.5e} ({100 * (x / y - 1):+.2f}%)" for x, y in zip(v, r)))
    tail = slice((a.epochs - 1) * steps_per_epoch, a.epochs * steps_per_epoch)
    print("last epoch, per-step |difference| from the reference / its loss, median: control "
          f"{np.median(np.abs(ctl[tail, 0] / ref[tail, 0] - 1)):.2e}, mcinr {np.median(np.abs(mc[tail, 0] / ref[tail, 0] - 1)):.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
