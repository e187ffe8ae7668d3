"""Guards of the clustering stages (private module): the distrusted
clusters' budget and the robust-EM fallbacks of the moment stage and of the
relaxations."""

from __future__ import annotations

import warnings

import numpy as np

from ...exceptions import CorruptionWarning
from .base import ClusteringResult
from .em import robust_em_clustering

def within_limit(counts, limit):
    """Clusters of at most ``limit`` tasks, largest first while their total
    stays within ``limit`` (first fit decreasing; a loop over clusters)."""
    chosen, total = [], 0
    for c in np.argsort(-counts, kind="stable"):
        if 0 < counts[c] and total + counts[c] <= limit:
            chosen.append(c)
            total += int(counts[c])
    return np.array(sorted(chosen), dtype=int)


#: k-means++ starts of the robust moment stage's likelihood fallback.
_FALLBACK_STARTS = 5


def likelihood_fallback(data, U, k, alpha, rng, moments):
    """Robust likelihood EM (k-means++ starts) on the tasks the moment
    filters kept, when the moments gave no k supported centres.

    A subspace that misses most of a centre's direction (a light-1
    direction swap at d = 64, k = 8, t_H = 4) leaves M2 without a usable
    k-th eigenvalue: the ridged decomposition returned a centre 30 s from
    every true one with weight 2·10⁻⁶, which the final estimates kept
    (max‖ŵ − w‖/s = 3.4), while robust EM in the same subspace reached 0.12.
    """
    keep = np.flatnonzero(~moments.outliers)
    res = robust_em_clustering(data.subset(keep), U, k, alpha=alpha, init="kmeans++",
                               n_init=_FALLBACK_STARTS, rng=rng)
    labels = np.full(data.n_tasks, -1)
    labels[keep] = res.labels
    weights = moments.info["weights"]
    warnings.warn(f"moments_robust: the moments gave no k={k} supported centres (smallest "
                  f"weight {float(weights.min()):.1e}, a subspace missing a centre's "
                  f"direction?); the estimates are robust likelihood EM's",
                  CorruptionWarning, stacklevel=5)
    info = dict(res.info, method="moments (robust), EM fallback",
                moments={key: v for key, v in moments.info.items() if key != "estimates"})
    info.pop("trimmed", None)
    return ClusteringResult(labels, labels < 0, None, info)


def solver_fallback(data, U, k, alpha, rng, exc):
    """Robust likelihood EM when every start of a robust relaxation failed.

    Under an active threat model a failed solve is evidence about the data,
    not only about the solver: in-budget groups of identical far tasks made
    every Burer–Monteiro start stall before the far tasks were set aside. A
    robust stage then still returns an estimate — robust EM's, which has no
    solver to fail — and says so in a :class:`CorruptionWarning` naming the
    solver's error; without a threat model the error is raised.
    """
    res = robust_em_clustering(data, U, k, alpha=alpha, init="kmeans++",
                               n_init=_FALLBACK_STARTS, rng=rng)
    warnings.warn(f"robust clustering: the relaxation failed ({exc}); the estimates are "
                  f"robust likelihood EM's", CorruptionWarning, stacklevel=5)
    return ClusteringResult(res.labels, res.outliers, None,
                            dict(res.info, method="robust EM (relaxation failed)",
                                 solver_error=str(exc)))
