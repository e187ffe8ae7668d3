"""Diagnostic: for each call of the probe's ``candidate_directions``, the
component whose top eigenvector is closest to u (the attack's push
direction), the probe's level (median of λ_c / v'M̄_o v over the lower half
of λ_c), u's own ratio u'M_c u / u'M̄_o u, the edge, and whether u lies in
the probe's inflated directions. Usage as probe.py, plus --u U.npy first:

    python3 research/redteam/redteam22/diag_level.py --u research/moments_robust/redteam17/clean_err_s1_a0.01_c2.npy -- --seed 1 --row '{...}'
"""
import sys

import numpy as np

sys.path.insert(0, "research/inflated_reference")
import probe  # noqa: E402
import rt21  # noqa: E402
from robust_mlr.stages.regression import _clipped_test as ct  # noqa: E402
from robust_mlr.stages.regression import robust as _robust  # noqa: E402

U = None
OUT = []


def candidate_directions(moments, gsum, gmom, labels, ok, top=ct.TOP, rows=None):
    out, lever = probe.candidate_directions(moments, gsum, gmom, labels, ok, top=top, rows=rows)
    k, d = gsum.shape
    best = None
    for c in range(k):
        if not ok[c] or moments[c] is None:
            continue
        others = [moments[o] for o in range(k) if o != c and ok[o] and moments[o] is not None]
        Mo = sum(others) / len(others)
        lam, V = np.linalg.eigh((moments[c] + moments[c].T) / 2)
        ref = np.einsum("ij,ik,kj->j", V, Mo, V)
        low = lam <= np.median(lam)
        level = float(np.median(lam[low] / ref[low]))
        ratio_u = float(U @ moments[c] @ U / (U @ Mo @ U))
        edge = ct.inflated_edge(d, None if rows is None else rows[c])
        inl = float(np.linalg.norm(lever[c].T @ U)) if lever[c].shape[1] else 0.0
        row = (c, round(level, 3), round(ratio_u, 3), round(edge, 3), round(ratio_u / level / edge, 3),
               round(inl, 2), round(float(np.median(lam) / np.median(ref)), 3))
        if best is None or ratio_u / level > best[2] / best[1]:
            best = row
    OUT.append(best)
    print("diag (comp, level, u'M_c u/u'Mo u, edge, ratio/level/edge, |P_infl u|, median λ/median ref):", best,
          flush=True)
    return out, lever


if __name__ == "__main__":
    argv = sys.argv[1:]
    U = np.load(argv[1])
    U = U / np.linalg.norm(U)
    argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    _robust.candidate_directions = candidate_directions
    sys.argv = [sys.argv[0]] + argv
    rt21.main()
