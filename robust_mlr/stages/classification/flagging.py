"""Robust classification: light tasks that fit no component are flagged.

A clean task of component ℓ with Gaussian noise has residual sum of squares
RSS/s_ℓ² ~ χ²_{t_i} under its own component; a task whose best component's
statistic exceeds the (1 − level) quantile fits no component and is left out
of the refit (Kong, Somani, Kakade, Oh, NeurIPS 2020).
"""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._segments import task_rss
from ..._threads import pinned
from ...data import MetaDataset
from .likelihood import task_neg_log_lik

__all__ = ["flag_unfit_tasks"]


@pinned
def flag_unfit_tasks(data: MetaDataset, W, s2, level=1e-3):
    """Tasks that fit no component: the best component's residual sum of
    squares / s² exceeds the (1 − level) quantile of χ²_{t_i}.

    Returns ``(labels, flagged)``: most likely component and boolean flags.
    """
    nll = task_neg_log_lik(data, W, s2)
    labels = np.argmin(nll, axis=1)
    rss = task_rss(data.X, data.y, data.offsets, W)      # one blocked pass
    stat = rss[np.arange(data.n_tasks), labels] / np.asarray(s2)[labels]
    sizes, which = np.unique(data.sizes, return_inverse=True)     # quantile per size
    flagged = stat > chi2.ppf(1 - level, sizes)[which]
    return labels, flagged
