"""Robust classification: light tasks that fit no component are flagged.

A clean task of component ℓ with Gaussian noise has residual sum of squares
RSS/s_ℓ² ~ χ²_{t_i} under its own component; a task whose best component's
statistic exceeds the (1 − level) quantile fits no component and is left out
of the refit (Kong, Somani, Kakade, Oh, NeurIPS 2020).
"""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._segments import pool_task_rss
from ..._threads import pinned
from ...data import MetaDataset
from .likelihood import check_components, nll_from_rss

__all__ = ["flag_unfit_tasks"]


@pinned
def flag_unfit_tasks(data: MetaDataset, W, s2, level=1e-3):
    """Tasks that fit no component: the best component's residual sum of
    squares / s² exceeds the (1 − level) quantile of χ²_{t_i}.

    Returns ``(labels, flagged)``: most likely component and boolean flags.
    """
    W, s2 = check_components(data, W, s2)
    rss = pool_task_rss(data, W)                 # one blocked pass serves both
    labels = np.argmin(nll_from_rss(data, rss, s2), axis=1)
    stat = rss[np.arange(data.n_tasks), labels] / np.asarray(s2)[labels]
    sizes, which = np.unique(data.sizes, return_inverse=True)     # quantile per size
    flagged = stat > chi2.ppf(1 - level, sizes)[which]
    return labels, flagged
