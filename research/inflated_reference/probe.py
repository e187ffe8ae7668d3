"""Probe (not adopted): the inflated-direction threshold of the regression
stage's readings measured against the *other* components' per-example
moments instead of the component's own median eigenvalue.

The twenty-first red team (research/redteam/redteam21/) kept its push
direction u out of the inflated directions with decoy pairs x, −x that
raise the component's own median eigenvalue. Here a direction v of
component c's moment M_c is inflated when
    λ_c(v) > edge · level · v'M̄_o v,
M̄_o the mean of the other components' moments and level the median of
λ_c(v) / v'M̄_o v over the lower half of c's eigenvalues (decoys raise the
top ones; the median over all of them would be movable again).

Run from the repository root (the red team's driver does the fits):

    PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21 \\
        OMP_NUM_THREADS=1 python3 research/inflated_reference/probe.py --variant other -- \\
        --seed 1 --row '{...}'
"""
import sys

import numpy as np

import rt21
from robust_mlr.stages.regression import _clipped_test as ct
from robust_mlr.stages.regression import robust as _robust

_orig = ct.candidate_directions
LOG = []


def other_reference(moments, ok, rows, c, V, lam):
    """v'M̄_o v for each eigenvector v of M_c (M̄_o: the mean of the other
    components' moments), times the level of c: the median of λ_c / v'M̄_o v
    over the lower half of λ_c. None without another component."""
    others = [moments[o] for o in range(len(moments)) if o != c and ok[o] and moments[o] is not None]
    if not others:
        return None
    Mo = sum(others) / len(others)
    ref = np.einsum("ij,ik,kj->j", V, Mo, V)
    low = lam <= np.median(lam)
    return ref * np.median(lam[low] / np.maximum(ref[low], 1e-300))


def candidate_directions(moments, gsum, gmom, labels, ok, top=ct.TOP, rows=None):
    out, lever = _orig(moments, gsum, gmom, labels, ok, top=top, rows=rows)
    k, d = gsum.shape
    for c in range(k):
        if not ok[c] or moments[c] is None or lever[c] is None:
            continue
        lam, V = np.linalg.eigh((moments[c] + moments[c].T) / 2)
        ref = other_reference(moments, ok, rows, c, V, lam)
        if ref is None:
            continue
        edge = ct.inflated_edge(d, None if rows is None else rows[c])
        new = V[:, lam > edge * ref]
        n_old = lever[c].shape[1]
        # keep the directions read that are not the old inflated ones, add the new inflated ones
        rest = out[c][:, n_old:]
        out[c] = np.hstack([new, rest])
        lever[c] = new
        LOG.append((c, n_old, new.shape[1]))
    return out, lever


if __name__ == "__main__":
    argv = sys.argv[1:]
    variant = "own"
    if argv[:1] == ["--variant"]:
        variant, argv = argv[1], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if variant == "other":
        _robust.candidate_directions = candidate_directions
    sys.argv = [sys.argv[0]] + argv
    rt21.main()
    print("inflated (component, own-median count, other-reference count):", LOG[-16:])
