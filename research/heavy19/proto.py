"""Variants of the anchor on the captured seed-2 heavy pool (attacked component)."""
import numpy as np
from robust_mlr.data import MetaDataset
from robust_mlr.stages.regression import _heavy_anchor as H, _directional_median as DM

D = np.load("research/heavy19/logs/anchor_inputs_s2.npz")
heavy = MetaDataset(D["X"], D["y"], D["offsets"])
labels, target, W, s = D["labels"], D["target"], D["W"], D["s"]
def run(tag):
    W_h, _, _, info = H.heavy_anchor(heavy, labels, 4, 0.05, np.random.default_rng(2), None, None, target)
    errs = [np.linalg.norm(W_h[:, [c]] - W, axis=0).min() / s[0] for c in range(4)]
    print(tag, np.round(errs, 4), [(r["median_directions"], round(r["median_shift"], 3)) for r in info])
run("current")
# along the error direction: the gap in se
c = 3
idx = np.flatnonzero(labels == c)
for nd in (3, 8, 16, 32):
    DM.N_DIRECTIONS = nd
    import importlib
    old = DM.median_step.__defaults__
    DM.median_step.__defaults__ = (nd,)
    run(f"n_dir {nd}")
    DM.median_step.__defaults__ = old
