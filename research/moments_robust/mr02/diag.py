"""mr02 diagnostic: the level of the inflated-direction threshold under
candidate rules, printed at every call of the regression stage's
``candidate_directions`` (one line per component, then the fit's line from
rt21).  Wraps rt21's driver; ``MR02_U=path.npy`` adds u'M_c u / level.

    export PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21 OMP_NUM_THREADS=1
    MR02_U=research/moments_robust/redteam17/clean_err_s1_a0.01_c2.npy \\
        python3 research/moments_robust/mr02/diag.py --seed 1 --row '{...}'
"""
import os
import sys

import numpy as np

from robust_mlr.stages.regression import robust as _robust
from robust_mlr.stages.regression._clipped_test import inflated_edge

_pc, _cd = _robust._per_component, _robust.candidate_directions
S2 = []
U = np.load(os.environ["MR02_U"]) if os.environ.get("MR02_U") else None
if U is not None:
    U = U / np.linalg.norm(U)


def per_component(*a, **kw):
    out = _pc(*a, **kw)
    S2.append(np.array(out[1]))
    return out


def cand(moments, gsum, gmom, labels, ok, top=2, rows=None, **kw):
    out = _cd(moments, gsum, gmom, labels, ok, top=top, rows=rows, **kw)
    k, d = gsum.shape
    s2 = S2[-1]
    lams = [np.linalg.eigvalsh((M + M.T) / 2) if M is not None else None for M in moments]
    med = np.array([np.median(l) if l is not None else np.nan for l in lams])
    rho = med / s2
    lowmed = np.sort(rho[np.isfinite(rho)])[(np.isfinite(rho).sum() - 1) // 2]
    counts = np.bincount(labels[labels >= 0], minlength=k).astype(float)
    P = sum(counts[c] * moments[c] / s2[c] for c in range(k) if moments[c] is not None)
    pooled = np.median(np.linalg.eigvalsh(P / counts[[c for c in range(k) if moments[c] is not None]].sum()))
    for c in range(k):
        if lams[c] is None:
            continue
        edge = inflated_edge(d, None if rows is None else rows[c])
        lev = {"own": med[c], "med": s2[c] * lowmed, "min": min(med[c], s2[c] * lowmed),
               "pool": s2[c] * pooled}
        n = {key: int((lams[c] > edge * v).sum()) for key, v in lev.items()}
        line = (f"LEVEL c{c} n {int(counts[c])} s2 {s2[c]:.4f} med {med[c]:.4f} rho {rho[c]:.4f} "
                f"lowmed {lowmed:.4f} pooled {pooled:.4f} top/med "
                f"{np.round(lams[c][-4:] / med[c], 3).tolist()} n_infl {n} lib {out[1][c].shape[1]}")
        if U is not None:
            uq = float(U @ moments[c] @ U)
            line += " u/lev " + str({key: round(uq / v, 3) for key, v in lev.items()})
        print(line, flush=True)
    return out


_robust._per_component = per_component
_robust.candidate_directions = cand

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import rt21
    rt21.main()
