#!/usr/bin/python3
"""Step-by-step comparison of mcinr with the reference implementation.

The reference's own modules (model.py's MLPv2, utils.py's input_mapping,
dataset.py's MultiModalDataset) are imported, unmodified, from a `git
archive` of the fetched reference repository; nothing of its code is copied
here. mcinr's side is tests/step_replay (built with the tests). Checks, on
one subject folder in the reference's layout:

1. samples: the reference's normalised coordinates and intensities against
   mcinr's make_samples for random voxels of both scans (mcinr works in ITK's
   LPS world, the reference in nibabel's RAS; both take their range over the
   RAS coordinates, so mcinr's field coordinates are the reference's with x
   and y negated).
2. initialisation: the reference's Fourier matrix and nn.Linear weights
   (seeded as main.py seeds them) against mcinr's draws for the same seed,
   by their distributions (bounds, std, two-sample Kolmogorov-Smirnov).
3. steps: the reference's initial weights and B are handed to mcinr; both run
   the same batches (Fourier features, split-head MLP, the two-contrast MSE,
   Adam); the first forward, the first gradients per layer, every step's
   loss and the weights after the last step are compared.

Needs Debian's python3-torch, python3-nibabel, python3-sklearn,
python3-skimage, python3-scipy, python3-matplotlib (see
../shared/tools/reference-harness/README.md) and the reference repository
brought with `fetch` (UPSTREAM_GIT_DIR or --upstream). Exit status 1 when a
check fails its tolerance.

  tests/validation/reference_steps.py --step-replay build/tests/step_replay \\
      --subject DIR --subject-id ID --c1 t1c --c2 t2f [--steps 20]
"""
import argparse
import copy
import os
import subprocess
import sys
import tempfile

import numpy as np


def export_upstream(git_dir, into):
    os.makedirs(into)
    subprocess.run(f"git --git-dir={git_dir} archive HEAD | tar -x -C {into}", shell=True, check=True)


def stage_subject(src, subject_id, into):
    """The reference picks files by substring of their whole path: link the
    subject's files into a folder whose path holds no contrast name."""
    os.makedirs(into)
    for name in sorted(os.listdir(src)):
        if name.startswith(subject_id) and name.endswith(".nii.gz"):
            os.symlink(os.path.abspath(os.path.join(src, name)), os.path.join(into, name))


def f32(path, values):
    np.asarray(values, dtype=np.float32).tofile(path)


def layer_names(L):
    """The reference's MLPv2 layers in mcinr's order: trunk (fc_in, fc.0 ..
    fc.L-1), then head 1 (contrast 1), head 2. The reference's contrast 1
    (its labels' column 1, scored as output column 1) is fc_out2/out2."""
    return ["fc_in"] + [f"fc.{i}.0" for i in range(L)] + ["fc_out2", "out2", "fc_out1", "out1"]


def mcinr_layout(model, L, dtype=np.float32, grad=False):
    """The reference's MLPv2 weights (or their gradients) in mcinr's flat
    layout: per layer the weight (out x in, column-major) then the bias.
    Also returns each layer's (name, weight start, bias start, end)."""
    modules = dict(model.named_modules())
    parts, spans = [], []
    at = 0
    for n in layer_names(L):
        w, b = modules[n].weight, modules[n].bias
        w, b = (w.grad, b.grad) if grad else (w, b)
        w, b = w.detach().cpu().numpy(), b.detach().cpu().numpy()
        parts += [w.ravel(order="F"), b]
        spans.append((n, at, at + w.size, at + w.size + b.size))
        at += w.size + b.size
    return np.concatenate(parts).astype(dtype), spans


def contrast_first_batch(ds, idx):
    """The samples idx of the reference's dataset with contrast 1's first, as
    mcinr's trainer orders a batch: coordinates x (n x 3), values y1 and y2
    (column vectors). The reference's contrast 1 sits in its labels' column 1."""
    import torch
    data, label = ds.data[idx], ds.label[idx]
    first = label[:, 1] != -1
    return torch.cat((data[first], data[~first])), label[first, 1:2], label[~first, 0:1]


def common_arguments(doc):
    """The options this script shares with reference_epochs.py."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--step-replay", required=True)
    ap.add_argument("--subject", required=True)
    ap.add_argument("--subject-id", required=True)
    ap.add_argument("--c1", default="t1c")
    ap.add_argument("--c2", default="t2f")
    ap.add_argument("--upstream", default=os.environ.get("UPSTREAM_GIT_DIR"))
    ap.add_argument("--stubs", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "../../../shared/tools/reference-harness/stubs"))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--features", type=int, default=128)
    ap.add_argument("--scale", type=float, default=4.0)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=4e-4)
    return ap


def prepare_work(a, prefix):
    """The working folder with the reference exported and the subject staged;
    puts the stubs and the reference's modules on sys.path and enters it."""
    a.step_replay = os.path.abspath(a.step_replay)
    if not a.upstream:
        sys.exit("set UPSTREAM_GIT_DIR (or --upstream) to the git dir `fetch` returned for jqmcginnis/multi_contrast_inr")
    work = os.path.abspath(a.work) if a.work else tempfile.mkdtemp(prefix=prefix)
    stage = os.path.join(work, "subject")
    if not os.path.isdir(os.path.join(work, "upstream")):
        export_upstream(a.upstream, os.path.join(work, "upstream"))
        stage_subject(a.subject, a.subject_id, stage)
    sys.path[:0] = [os.path.abspath(a.stubs), os.path.join(work, "upstream")]
    os.chdir(work)
    return work, stage


def main():
    ap = common_arguments(__doc__)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--voxels", type=int, default=5000, help="random voxels per scan for the sample check")
    ap.add_argument("--work", help="working folder (default: a new temporary one; the reference caches its"
                    " preprocessed samples there)")
    a = ap.parse_args()
    work, stage = prepare_work(a, "mcinr_refsteps_")
    import torch
    torch.set_num_threads(1)
    from dataset import MultiModalDataset  # the reference's, unmodified
    from model import MLPv2
    from utils import input_mapping

    failures = []

    def check(name, value, tol, at_least=False):
        ok = value >= tol if at_least else value <= tol
        print(f"  {name}: {value:.3g} ({'at least' if at_least else 'tolerance'} {tol:g}) {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(name)

    # 1. samples
    print("1. samples (normalised coordinates and intensities)")
    ds = MultiModalDataset(image_dir=stage, name="steps", subject_id=a.subject_id,
                           contrast1_LR_str=f"{a.c1}_LR", contrast2_LR_str=f"{a.c2}_LR")
    import nibabel as nib
    lr = [nib.load(os.path.join(stage, f"{a.subject_id}_{c}_LR.nii.gz")) for c in (a.c1, a.c2)]
    rng = np.random.default_rng(a.seed)
    vox, ref_idx = [], []
    for c in (0, 1):
        shape = lr[c].shape
        ijk = np.stack([rng.integers(0, s, a.voxels) for s in shape], axis=1)
        vox += [(c + 1, *v) for v in ijk]
        offset = 0 if c == 0 else int(np.prod(lr[0].shape))
        ref_idx += list(offset + (ijk[:, 0] * shape[1] + ijk[:, 1]) * shape[2] + ijk[:, 2])
    np.savetxt(os.path.join(work, "voxels.txt"), np.array(vox), fmt="%d")
    subprocess.run([a.step_replay, "samples", stage, a.c1, a.c2, os.path.join(work, "voxels.txt"),
                    os.path.join(work, "mcinr_samples.txt")], check=True)
    with open(os.path.join(work, "mcinr_samples.txt")) as f:
        lo_m, hi_m = map(float, f.readline().split()[2:4])
    ms = np.loadtxt(os.path.join(work, "mcinr_samples.txt"))
    ref_c = ds.data[ref_idx].numpy().astype(np.float64)
    labels = ds.label[ref_idx].numpy()
    ref_v = np.where(labels[:, 1] != -1, labels[:, 1], labels[:, 0])
    corners = np.concatenate([nib.affines.apply_affine(im.affine, np.array(np.meshgrid(
        *[[0, s - 1] for s in im.shape], indexing="ij")).reshape(3, -1).T) for im in lr])
    lo_r, hi_r = corners.min(), corners.max()
    expected = ref_c * np.array([-1, -1, 1])  # mcinr's field: the reference's, mirrored in x and y (LPS)
    print(f"  domain (one range over the RAS coordinates of both scans): reference {lo_r:g} .. {hi_r:g} mm,"
          f" mcinr {lo_m:g} .. {hi_m:g} mm")
    check("domain: max |end difference| (mm)", max(abs(lo_m - lo_r), abs(hi_m - hi_r)), 1e-6)
    check("max |coordinate difference| (mcinr's x, y negated)", np.abs(ms[:, :3] - expected).max(), 1e-5)
    check("max |intensity difference|", np.abs(ms[:, 3] - ref_v).max(), 1e-6)

    # 2. initialisation
    print("2. initialisation (seed %d)" % a.seed)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    B = np.random.normal(scale=a.scale, size=(a.features, 3)).astype(np.float32)  # as main.py draws it
    model = MLPv2(input_size=2 * a.features, output_size=2, hidden_size=a.hidden, num_layers=a.layers, dropout=0.0)
    p0, spans = mcinr_layout(model, a.layers)
    subprocess.run([a.step_replay, "init", str(a.features), str(a.scale), str(a.hidden), str(a.layers),
                    str(a.hidden // 2), str(a.seed), work], check=True)
    mb = np.fromfile(os.path.join(work, "mcinr_init_fourier.f32"), dtype=np.float32)
    mp = np.fromfile(os.path.join(work, "mcinr_init_params.f32"), dtype=np.float32)
    from scipy.stats import ks_2samp
    print(f"  Fourier B: reference std {B.std():.3f}, mcinr {mb.std():.3f} (sigma {a.scale:g});"
          f" KS p = {ks_2samp(B.ravel(), mb).pvalue:.3f}")
    check("Fourier B: |std / sigma - 1| (mcinr)", abs(mb.std() / a.scale - 1), 0.15)
    check("Fourier B: KS statistic", ks_2samp(B.ravel(), mb).statistic, 0.15)
    check("parameter count difference", abs(len(mp) - len(p0)), 0)
    for name, w0, b0, end in spans:
        fan_in = {"fc_in": 2 * a.features, "out1": a.hidden // 2, "out2": a.hidden // 2}.get(name, a.hidden)
        bound = 1 / np.sqrt(fan_in)
        rw, mw = p0[w0:b0], mp[w0:b0]
        rb, mbias = p0[b0:end], mp[b0:end]
        ks = ks_2samp(rw, mw).statistic if rw.size > 50 else float("nan")
        print(f"  {name:8s} fan_in {fan_in:4d} bound {bound:.5f} | weight max |.| ref {np.abs(rw).max():.5f}"
              f" mcinr {np.abs(mw).max():.5f}, std ref {rw.std():.5f} mcinr {mw.std():.5f}"
              f" (uniform: {bound / np.sqrt(3):.5f}), KS {ks:.4f} | bias max ref {np.abs(rb).max():.5f}"
              f" mcinr {np.abs(mbias).max():.5f}")
        if rw.size > 1000:
            check(f"{name} weight KS statistic", ks, 0.05)
        check(f"{name} mcinr max |w| / bound", np.abs(mw).max() / bound - 1 if np.abs(mw).max() > bound else 0, 0)

    # 3. batch composition: an epoch's shuffle of all samples of both scans
    print("3. batch composition (one epoch's shuffle, batches of %d)" % a.batch)
    n_all, n_first = len(ds), int(np.prod(lr[0].shape))
    order_path = os.path.join(work, "mcinr_order.u64")
    subprocess.run([a.step_replay, "order", str(n_all), str(a.seed), "0", str(n_all), order_path], check=True)
    ours = np.fromfile(order_path, dtype=np.uint64).astype(np.int64)
    theirs = torch.randperm(n_all, generator=torch.Generator().manual_seed(a.seed)).numpy()  # as DataLoader(shuffle=True)
    usable = n_all // a.batch * a.batch
    expected = np.sqrt(a.batch * (n_first / n_all) * (1 - n_first / n_all) * (n_all - a.batch) / (n_all - 1))
    check("mcinr's order is a permutation (missing indices)", n_all - len(np.unique(ours)), 0)
    for name, q in (("reference", theirs), ("mcinr", ours)):
        first = (q[:usable].reshape(-1, a.batch) < n_first).sum(axis=1)
        print(f"  {name:9s}: contrast-1 samples per batch mean {first.mean():.2f} std {first.std():.2f}"
              f" (hypergeometric: {a.batch * n_first / n_all:.2f}, {expected:.2f}); lag-1 |index difference|"
              f" median {np.median(np.abs(np.diff(q))):.0f}")
        if name == "mcinr":
            check("contrast-1 count per batch: |std / hypergeometric - 1|", abs(first.std() / expected - 1), 0.05)
    batch_means = [q[:usable].reshape(-1, a.batch).mean(axis=1) for q in (theirs, ours)]
    ks = ks_2samp(batch_means[0], batch_means[1])
    print(f"  per-batch mean sample index, mcinr vs reference: KS statistic {ks.statistic:.4f}, p = {ks.pvalue:.3f}")
    check("per-batch mean sample index: KS p-value", ks.pvalue, 0.001, at_least=True)

    # 4. steps: the reference's weights and B in both, the same batches
    print(f"4. {a.steps} training steps from the reference's initial weights")
    f32(os.path.join(work, "fourier.f32"), B)
    f32(os.path.join(work, "params.f32"), p0)
    with open(os.path.join(work, "setup.txt"), "w") as f:
        f.write(f"{a.features} {a.hidden} {a.layers} {a.hidden // 2} {a.lr!r}\n")
    # Controls: the reference's steps in float64 (the exact steps), and in
    # float32 again with each batch's samples in another order (the same loss;
    # only the rounding differs). A ReLU whose input lies within rounding of 0
    # switches in one run and not in another, and Adam's near-sign steps carry
    # that on, so the float32 runs part from the exact steps at a rate set by
    # chance: the reordered run shows how far rounding alone takes them.
    model64 = copy.deepcopy(model).double()
    mapper64 = input_mapping(B=torch.tensor(B, dtype=torch.float64))
    optimizer64 = torch.optim.Adam(model64.parameters(), lr=a.lr)
    model_r = copy.deepcopy(model)
    optimizer_r = torch.optim.Adam(model_r.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(a.seed)
    order = torch.randperm(len(ds), generator=g)[: a.steps * a.batch]
    mapper = input_mapping(B=torch.tensor(B))
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    mse = torch.nn.MSELoss()
    ref_losses, losses64 = [], []
    with open(os.path.join(work, "batches.f32"), "wb") as fb, open(os.path.join(work, "counts.txt"), "w") as fc:
        for s in range(a.steps):
            idx = order[s * a.batch:(s + 1) * a.batch]
            x, y1, y2 = contrast_first_batch(ds, idx)
            n1 = len(y1)
            fc.write(f"{n1} {len(y2)}\n")
            np.concatenate([x.numpy().ravel(), y1.numpy().ravel(), y2.numpy().ravel()]).astype(np.float32).tofile(fb)
            out = model(mapper(x))
            loss = mse(out[:n1, 1:2], y1) + mse(out[n1:, 0:1], y2)
            optimizer.zero_grad()
            loss.backward()
            if s == 0:
                out0 = np.stack([out[:, 1].detach().numpy(), out[:, 0].detach().numpy()], axis=1)
                grads0 = mcinr_layout(model, a.layers, np.float64, grad=True)[0]
            optimizer.step()
            ref_losses.append(loss.item())
            out64 = model64(mapper64(x.double()))
            loss64 = mse(out64[:n1, 1:2], y1.double()) + mse(out64[n1:, 0:1], y2.double())
            optimizer64.zero_grad()
            loss64.backward()
            losses64.append(loss64.item())
            if s == 0:
                grads64 = mcinr_layout(model64, a.layers, np.float64, grad=True)[0]
                out64_0 = np.stack([out64[:, 1].detach().numpy(), out64[:, 0].detach().numpy()], axis=1)
            swap = torch.cat((torch.randperm(n1, generator=g), n1 + torch.randperm(len(x) - n1, generator=g)))
            out_r = model_r(mapper(x[swap]))
            y_r = torch.cat((y1, y2))[swap]
            loss_r = mse(out_r[:n1, 1:2], y_r[:n1]) + mse(out_r[n1:, 0:1], y_r[n1:])
            optimizer_r.zero_grad()
            loss_r.backward()
            optimizer_r.step()
            optimizer64.step()
    p_end, _ = mcinr_layout(model, a.layers)
    subprocess.run([a.step_replay, "steps", work], check=True)
    m_losses = np.atleast_1d(np.loadtxt(os.path.join(work, "mcinr_losses.txt")))
    m_out0 = np.fromfile(os.path.join(work, "mcinr_output0.f32"), dtype=np.float32).reshape(-1, 2)
    m_grads0 = np.fromfile(os.path.join(work, "mcinr_grads0.f32"), dtype=np.float32)
    m_end = np.fromfile(os.path.join(work, "mcinr_params.f32"), dtype=np.float32)
    n1 = int(open(os.path.join(work, "counts.txt")).readline().split()[0])
    own = np.concatenate([m_out0[:n1, 0], m_out0[n1:, 1]])
    ref_own = np.concatenate([out0[:n1, 0], out0[n1:, 1]])
    check("first forward: max |output difference| / max |output|",
          np.abs(own - ref_own).max() / np.abs(ref_own).max(), 1e-5)
    print("  first gradient, distance to float64 (max |g - g64| / max |g64|, median |g - g64| / |g64|):"
          " reference float32 | mcinr float32")
    for name, w0, b0, end in spans:
        gr, gm, g64 = grads0[w0:end], m_grads0[w0:end], grads64[w0:end]
        nz = g64 != 0
        print(f"    {name:8s} {np.abs(gr - g64).max() / np.abs(g64).max():.2e} "
              f"{np.median(np.abs(gr - g64)[nz] / np.abs(g64[nz])):.2e} | "
              f"{np.abs(gm - g64).max() / np.abs(g64).max():.2e} {np.median(np.abs(gm - g64)[nz] / np.abs(g64[nz])):.2e}")
    rel = np.abs(m_losses - np.array(ref_losses)) / np.array(ref_losses)
    print("  losses (reference / mcinr), every 5th step: " + ", ".join(
        f"{r:.6g}/{m:.6g}" for r, m in list(zip(ref_losses, m_losses))[::5]))
    check("per-step loss: max relative difference", rel.max(), 1e-3)
    # Adam moves a weight by about lr per step whatever its gradient's size, so
    # a weight whose gradient is rounding noise moves either way in either
    # implementation: compare the change as a whole, layer by layer.
    # The yardstick is the reference against itself in float64: float32
    # rounding alone moves it that far from the exact steps.
    p64 = mcinr_layout(model64, a.layers, np.float64)[0]
    p_r, _ = mcinr_layout(model_r, a.layers)
    print(f"  after {a.steps} steps, distance to the reference's float64 steps / their change"
          " (reference float32 | reference float32, samples reordered | mcinr float32):")
    dist = {}
    for name, w0, b0, end in spans + [("all", 0, 0, len(p0))]:
        change = np.linalg.norm(p64[w0:end] - p0[w0:end])
        dist[name] = [np.linalg.norm(q[w0:end] - p64[w0:end]) / change for q in (p_end, p_r, m_end)]
        print(f"    {name:8s} " + " | ".join(f"{d:.2e}" for d in dist[name]))
    check(f"weights after {a.steps} steps: mcinr's distance to float64 / the larger of the reference's",
          dist["all"][2] / max(dist["all"][:2]), 3.0)
    # The arithmetic itself: mcinr in double against the reference in float64
    # (same weights, same batches). Without float32 rounding no ReLU input
    # sits near enough to 0 to switch, so the two must agree to ~1e-12.
    print(f"5. the same {a.steps} steps in float64 (mcinr's kernels in double)")
    subprocess.run([a.step_replay, "steps64", work], check=True)
    m64_losses = np.atleast_1d(np.loadtxt(os.path.join(work, "mcinr_losses.txt")))
    m64_out0 = np.fromfile(os.path.join(work, "mcinr_output0.f64")).reshape(-1, 2)
    m64_grads0 = np.fromfile(os.path.join(work, "mcinr_grads0.f64"))
    m64_end = np.fromfile(os.path.join(work, "mcinr_params.f64"))
    own64 = np.concatenate([m64_out0[:n1, 0], m64_out0[n1:, 1]])
    ref64 = np.concatenate([out64_0[:n1, 0], out64_0[n1:, 1]])
    check("first forward: max |difference| / max |output|", np.abs(own64 - ref64).max() / np.abs(ref64).max(), 1e-12)
    worst = max(np.abs(m64_grads0[w0:end] - grads64[w0:end]).max() / np.abs(grads64[w0:end]).max()
                for _, w0, _, end in spans)
    check("first gradients: worst layer's max |difference| / max |gradient|", worst, 1e-10)
    check("per-step loss: max relative difference",
          (np.abs(m64_losses - np.array(losses64)) / np.array(losses64)).max(), 1e-12)
    check(f"weights after {a.steps} steps: |mcinr - reference| / |change|",
          np.linalg.norm(m64_end - p64) / np.linalg.norm(p64 - p0), 1e-8)
    print("passed" if not failures else "FAILED: " + ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
