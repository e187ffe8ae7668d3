"""mr02 probe: also weigh C's top eigenvector (whole space) when M's
Rayleigh quotient along it is beyond the inflated threshold (the library
weighs M's inflated eigenvectors and C's top direction within their span).
Wraps rt21's driver.

    python3 research/moments_robust/mr02/probe_ctop.py --seed 1 --row '{...}'
"""
import numpy as np

from robust_mlr.stages.regression import robust as _robust
from robust_mlr.stages.regression._clipped_test import inflated_edge
from robust_mlr.stages.regression._moment_level import moment_levels

_cd = _robust.candidate_directions
LOG = []


def cand(moments, gsum, gmom, labels, ok, top=2, rows=None, noise=None):
    out, lever = _cd(moments, gsum, gmom, labels, ok, top=top, rows=rows, noise=noise)
    k, d = gsum.shape
    counts = np.bincount(labels[labels >= 0], minlength=k)
    levels = moment_levels(moments, noise)
    for c in range(k):
        if not ok[c] or moments[c] is None or counts[c] < 2:
            continue
        mean = gsum[c] / counts[c]
        C = gmom[c] / counts[c] - np.outer(mean, mean)
        v = np.linalg.eigh((C + C.T) / 2)[1][:, -1]
        edge = inflated_edge(d, None if rows is None else rows[c])
        q = float(v @ moments[c] @ v) / levels[c]
        if q > edge:
            lever[c] = np.column_stack([v, lever[c]])
            out[c] = np.column_stack([v, out[c]])
        LOG.append((c, round(q, 3), lever[c].shape[1]))
    return out, lever


_robust.candidate_directions = cand

if __name__ == "__main__":
    import rt21
    rt21.main()
