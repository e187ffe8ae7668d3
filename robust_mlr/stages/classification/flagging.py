"""Robust classification: light tasks that fit no component are flagged.

A clean task of component ℓ with Gaussian noise has residual sum of squares
RSS/s_ℓ² ~ χ²_{t_i} under its own component; a task whose best component's
statistic exceeds the (1 − level) quantile fits no component and is left out
of the refit (Kong, Somani, Kakade, Oh, NeurIPS 2020).
"""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._segments import block_task_rss
from ..._threads import pinned
from ...data import MetaDataset
from .likelihood import check_components, nll_from_sizes

__all__ = ["flag_unfit_tasks"]


@pinned
def flag_unfit_tasks(data: MetaDataset, W, s2, level=1e-3):
    """Tasks that fit no component: the best component's residual sum of
    squares / s² exceeds the (1 − level) quantile of χ²_{t_i}.

    Returns ``(labels, flagged)``: most likely component and boolean flags.
    """
    W, s2 = check_components(data, W, s2)
    off, n = data.offsets, data.n_tasks
    labels, flagged = np.empty(n, dtype=np.intp), np.empty(n, dtype=bool)
    limits = {}                                   # χ² quantile per task size
    # one blocked pass: each block's (tasks × k) residual sums are judged
    # and dropped (no n × k array of the pool)
    for a, e, rss in block_task_rss(data, W):
        t = off[a + 1:e + 1] - off[a:e]
        lab = np.argmin(nll_from_sizes(t, rss, s2), axis=1)
        stat = rss[np.arange(e - a), lab] / s2[lab]
        sizes, which = np.unique(t, return_inverse=True)
        new = [int(v) for v in sizes if int(v) not in limits]
        if new:
            limits.update(zip(new, chi2.ppf(1 - level, np.array(new)).tolist()))
        labels[a:e] = lab
        flagged[a:e] = stat > np.array([limits[int(v)] for v in sizes])[which]
    return labels, flagged
