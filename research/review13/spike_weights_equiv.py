"""The clipped refit's spike weights: the new per-component formula
(``_spike_mass.spike_row_weights`` and the one-bincount ``SpikeMass.add``)
against the parent commit's (f7f7366) lines, restated here, on random
blocks with edge cases: a component with no rows in the block, rows of no
component (−1), unfitted components, one direction, overflowing
projections (inf and NaN).

    PYTHONPATH=$PWD python3 research/review13/spike_weights_equiv.py
"""
import numpy as np

from robust_mlr.stages.regression._spike_mass import (SpikeMass, spike_row_weights,
                                                      squared_projections)


def old_add(hist, XE2, lab, cw, on):
    """The parent's ``_SpikeMass.add``: one bincount per direction and group."""
    fitted = (lab >= 0) & on[np.maximum(lab, 0)]
    idx = hist.bin_of(XE2, hist.bins)
    N = np.zeros_like(hist.N)
    for p in range(hist.owner.size):
        own = lab == hist.owner[p]
        for g, rows in enumerate((own, fitted & ~own)):
            N[p, g] += np.bincount(idx[rows, p], weights=cw[rows], minlength=hist.bins + 1)
    return N


def old_weights(X, E, owner, lab, cap, table):
    """The parent's weight lines in ``clipped_refit``."""
    XE2 = np.nan_to_num((X @ E) ** 2, nan=np.inf)
    T = np.minimum(1.0, cap ** 2 / np.maximum(XE2, 1e-300))
    if table is not None:
        T *= np.take_along_axis(table, SpikeMass.bin_of(XE2, table.shape[1] - 1).T, axis=1).T
    T[owner[None, :] != lab[:, None]] = 1.0
    return T.min(axis=1)


def case(rng, N, d, k, owner, on, huge=False, absent=()):
    X = rng.standard_normal((N, d)) * rng.choice([0.5, 1, 3, 20], size=(N, 1))
    if huge:
        X[:5] = 1e308 * np.sign(rng.standard_normal((5, d)))
        X[5, :2] = np.inf, -np.inf                # a NaN projection
    E = np.linalg.qr(rng.standard_normal((d, owner.size)))[0]
    lab = rng.integers(-1, k, N)
    for c in absent:
        lab[lab == c] = -1
    cw = rng.uniform(0.1, 1.0, N)
    cap = 4.0
    with np.errstate(all="ignore"):
        h_new = SpikeMass(owner, cap)
        XE2 = squared_projections(X, E)
        h_new.add(XE2, lab, cw, on)
        N_old = old_add(h_new, np.nan_to_num((X @ E) ** 2, nan=np.inf), lab, cw, on)
        table = h_new.weights()
        out = []
        for tab in (None, table):
            old = old_weights(X, E, owner, lab, cap, tab)
            new1 = spike_row_weights(X, E, owner, lab, cap, tab)
            new2 = spike_row_weights(X, E, owner, lab, cap, tab, XE2)
            out.append(max(np.max(np.abs(old - new1)), np.max(np.abs(old - new2))))
    with np.errstate(all="ignore"):
        nan = bool(np.isnan(X @ E).any())
    return np.max(np.abs(h_new.N - N_old)), out, nan


def main():
    rng = np.random.default_rng(0)
    worst = [0.0, 0.0, 0.0]
    cases = [("random", dict(owner=np.array([0, 0, 2, 1]), on=np.ones(3, bool))),
             ("one direction", dict(owner=np.array([1]), on=np.ones(3, bool))),
             ("component 2 absent", dict(owner=np.array([0, 2, 2]), on=np.ones(3, bool),
                                         absent=(2,))),
             ("unfitted 1", dict(owner=np.array([0, 2]), on=np.array([True, False, True]))),
             ("huge rows (inf, NaN)", dict(owner=np.array([0, 1, 1]), on=np.ones(3, bool),
                                           huge=True))]
    for name, kw in cases:
        for rep in range(20):
            dN, dw, nan = case(rng, int(rng.integers(50, 3000)), 12, 3, **kw)
            worst = [max(worst[0], dN), max(worst[1], dw[0]), max(worst[2], dw[1])]
        print(f"{name:22s} max |N_new - N_old| {dN:.3g}  weights (cap) {dw[0]:.3g}  "
              f"weights (cap x density) {dw[1]:.3g}  NaN projections {nan}")
    print("worst over all:", worst)


if __name__ == "__main__":
    main()
