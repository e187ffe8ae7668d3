"""The spike directions' counts and row weights against the formulas they
replaced (one bincount per direction and group; an N x P table of weights
with the other components' columns reset to one), on random blocks with
unit and capped weights, unlabelled rows, caps on and off the bin grid and
overflowing rows: the same numbers (0) on the same projections; rounding
where each component projects its own rows."""
import numpy as np
from robust_mlr.stages.regression._spike_mass import spike_row_weights, SpikeMass, squared_projections, _BIN
def old_bin(XE2, last): return np.minimum(np.sqrt(XE2) / _BIN, last).astype(np.int64)
def old_add(N, owner, bins, XE2, lab, cw, on):
    fitted = (lab >= 0) & on[np.maximum(lab, 0)]
    idx = old_bin(XE2, bins)
    for p in range(owner.size):
        own = lab == owner[p]
        for g, rows in enumerate((own, fitted & ~own)):
            N[p, g] += np.bincount(idx[rows, p], weights=cw[rows], minlength=bins + 1)
rng = np.random.default_rng(0)
worst_w = worst_n = 0
for trial in range(40):
    N_b, d, k = 5000, 16, 4
    X = rng.standard_normal((N_b, d)) * rng.uniform(0.3, 4, (N_b, 1))
    if trial % 5 == 0: X[:3] = 1e200
    owner = np.sort(rng.integers(0, k, rng.integers(1, 9)))
    E = rng.standard_normal((d, owner.size)) * 0.5
    lab = rng.integers(-1, k, N_b)
    on = rng.random(k) < 0.9; on[owner] = True
    cw = np.ones(N_b) if trial % 2 else rng.choice([1.0, 0.5, 0.25], N_b)
    cap = [4.0, 4.01, 2.5, 1.0][trial % 4]
    sm = SpikeMass(owner, cap)
    XE2 = squared_projections(X, E)
    sm.add(XE2, lab, cw, on)
    N = np.zeros_like(sm.N); old_add(N, owner, sm.bins, np.nan_to_num((X @ E) ** 2, nan=np.inf), lab, cw, on)
    worst_n = max(worst_n, np.abs(N - sm.N).max())
    table = rng.uniform(0, 1, (owner.size, sm.bins + 1))
    for tb in (None, table):
        T = np.minimum(1.0, cap ** 2 / np.maximum(XE2, 1e-300))
        if tb is not None:
            T *= np.take_along_axis(tb, old_bin(XE2, tb.shape[1] - 1).T, axis=1).T
        T[owner[None, :] != lab[:, None]] = 1.0
        ref = T.min(axis=1)
        for given in (None, XE2):
            m = spike_row_weights(X, E, owner, lab, cap, tb, given)
            worst_w = max(worst_w, np.abs(m - ref).max() if given is not None else 0)
            if given is None: worst_g = np.abs(m - ref).max()
print("counts max diff", worst_n, "weights (same projections) max diff", worst_w, "weights (own projections) last", worst_g)
