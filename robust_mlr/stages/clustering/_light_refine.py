"""The robust moment estimator's last step: robust likelihood EM on the
light tasks of pool L2, started from the moment estimate (private).

At small t_H the heavy pool is the weaker one. With d = 64, k = 8, p = 1/8,
heavy tasks of 4 examples and light-2 tasks of 16, a component's law can
move by 0.77·s in the heavy pool and by 0.67·s in the light-2 pool within
the budget of replaced tasks (α = 0.05, :func:`robust_mlr.limits.pool_floors`),
and the moment estimate — cubic in each task's statistics — is worse still:
0.43·s off on clean data, and 1.3–2.8·s off under heavy-pool attacks that
stay inside its norm trim and directional filter (a variance inflation, a
quantile swap, a shifted component). The light tasks are then classified by
these centres, and a centre far enough off takes no light task, so the
final estimate of that component is the moment estimate itself (W 1–4·s).

The light-2 tasks carry the same components at four times the examples per
task, and their mixture likelihood is what the classification and the
regression stages use next anyway. Robust EM on them (trimmed E- and
M-steps, fabricated components set aside, degenerate tasks out; see
:mod:`.em`) from the moment estimate and from ``_STARTS`` k-means++
restarts, keeping the run of largest trimmed likelihood, gives estimates
whose error follows the light-2 pool's floor, not the moment estimator's:
where the moments are good the moment start wins, where they were pulled
away a restart does (a pulled centre has a far lower light-2 likelihood).
The heavy tasks are then labelled by the refined estimates.

When the moments gave no k supported centres (a subspace missing a
centre's direction) the refinement replaces the heavy-pool EM fallback:
the k-means++ restarts on the light tasks do what it did, on a better pool,
and a :class:`~robust_mlr.exceptions.CorruptionWarning` says so.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ..classification import classify
from ...exceptions import CorruptionWarning
from .base import ClusteringResult
from .em import robust_em_clustering

__all__ = ["light_refinement"]

#: k-means++ restarts of the light-task EM beside the moment start.
_STARTS = 3


def light_refinement(heavy, light, U, k, alpha, rng, moments):
    """Robust EM on ``light`` in the basis ``U`` from the moment estimate
    and k-means++ restarts; the heavy tasks labelled by its estimates.

    Parameters
    ----------
    heavy : MetaDataset
        The heavy tasks the moments were computed on.
    light : MetaDataset
        Light tasks (pool L2).
    U : ndarray (d, q)
        The basis of the moment estimate.
    k : int
        Number of components.
    alpha : float
        Corruption budget of either pool.
    rng : Generator
        k-means++ seeds.
    moments : ClusteringResult
        :func:`~.tensor_estimator.robust_moment_clustering`'s result
        (``info["estimates"]``, ``outliers``, ``info["supported"]``).

    Returns
    -------
    ClusteringResult
        Heavy labels by the refined estimates (the moments' outliers −1);
        ``info["estimates"]`` are the light-task EM's; ``info["moments"]``
        the moment estimate's info, ``info["light_refinement"]`` the EM's
        start, log-likelihood and flagged light tasks.
    """
    started = time.perf_counter()
    W0, r0, p0 = moments.info["estimates"]
    supported = bool(moments.info["supported"])
    p0 = np.maximum(p0, 1e-3 / k)
    res = robust_em_clustering(light, U, k, alpha=alpha, init=[(W0, r0, p0 / p0.sum()),
                                                               "kmeans++"],
                               n_init=_STARTS, rng=rng)
    W, s2, p = res.info["estimates"]
    labels, _ = classify(heavy, W, s2)
    labels[moments.outliers] = -1
    if not supported:
        weights = moments.info["weights"]
        warnings.warn(f"moments_robust: the moments gave no k={k} supported centres "
                      f"(smallest weight {float(weights.min()):.1e}, a subspace missing a "
                      f"centre's direction?); the estimates are robust likelihood EM's on "
                      f"the light tasks", CorruptionWarning, stacklevel=6)
    info = {key: v for key, v in moments.info.items() if key != "estimates"}
    info = dict(info, method="moments (robust), light-task EM", estimates=(W, s2, p),
                moments=dict(info), centres=W, noise=s2, weights=p,
                light_refinement={"init": res.info["init"],
                                  "log_likelihood": res.info["log_likelihood"],
                                  "n_flagged": res.info["n_flagged"],
                                  "restarts": res.info["restarts"],
                                  "time": time.perf_counter() - started})
    return ClusteringResult(labels, moments.outliers, None, info)
