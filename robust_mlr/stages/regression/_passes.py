"""The regression filter's first round for every component at once, in two
blocked passes over the pool (private).

A round of the filter (:func:`~.robust.filter_regression`) on a component
is a weighted least-squares fit and the per-task gradients at it. For the
first round every task of the component is kept, so the fits of all k
components need one pass over the pool (per block of tasks, the rows in
label order, one ``XᵀX`` per label, as the ICML refinement's
``label_grams``) and the gradients a second (``X W`` per block, each row's
residual under its task's component, per-task sums by a sparse product).
No component's rows are gathered into a copy, and a screened pool is read
through its scaled blocks. Only a component whose first round does not meet
the stopping rule is then filtered on its own (its later rounds need the
random draws, made in component order as before). The first round's
stopping test needs only each component's gradient mean and covariance,
summed block by block: no per-task gradient array is kept.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import gram_solve
from ..._segments import task_blocks, task_sum_operator, weighted_task_sums


def first_round(data, labels, k, t_cap):
    """Fits and gradients of the first filter round of every component.

    Parameters
    ----------
    data : MetaDataset
        The pool (rows read through ``data._block``).
    labels : ndarray of int (n,)
        Component of each task, −1 for none.
    k : int
    t_cap : float
        Task-size cap of the example weights min(t_i, t_cap)/t_i.

    Returns
    -------
    W : ndarray (d, k)
        Weighted least-squares fit of each component (NaN where its
        normal equations are not well conditioned: that component is left
        to the per-component filter, which falls back to an SVD).
    ok : ndarray of bool (k,)
    gsum : ndarray (k, d), gmom : ndarray (k, d, d)
        Sum and second moment (Σ_i g_i, Σ_i g_i g_iᵀ) over each component's
        tasks of the standardised gradients g_i = t_i^{-1/2} X_iᵀ(X_i ŵ − y_i)
        under the task's component, accumulated block by block (the
        gradients themselves, n × d, are not kept).
    rss : ndarray (n,)
        Residual sum of squares of each task under its component.
    """
    off, sizes, d = data.offsets, data.sizes, data.dim
    t = sizes.astype(float)
    sw_task = np.sqrt(np.minimum(t, t_cap) / t)
    blocks = task_blocks(off, data.y.itemsize * d)
    G, b = np.zeros((k, d, d)), np.zeros((k, d))
    for a, e in blocks:                          # pass 1: the normal equations
        Xb, yb = data._block(off[a], off[e])
        lab = np.repeat(labels[a:e], sizes[a:e])
        sw = np.repeat(sw_task[a:e], sizes[a:e])
        order = np.argsort(lab, kind="stable")
        edges = np.concatenate([[0], np.cumsum(np.bincount(lab + 1, minlength=k + 1))])
        Xs, ys = Xb[order] * sw[order, None], yb[order] * sw[order]
        for c in range(k):                       # loop over components only
            r0, r1 = edges[c + 1], edges[c + 2]
            if r1 > r0:
                G[c] += Xs[r0:r1].T @ Xs[r0:r1]
                b[c] += Xs[r0:r1].T @ ys[r0:r1]
    W, ok = np.full((d, k), np.nan), np.zeros(k, bool)
    for c in range(k):
        w = gram_solve(G[c], b[c])
        if w is not None:
            W[:, c], ok[c] = w, True
    Wz = np.where(ok, W, 0.0)
    gsum, gmom, rss = np.zeros((k, d)), np.zeros((k, d, d)), np.empty(data.n_tasks)
    rt = np.sqrt(t)
    for a, e in blocks:                          # pass 2: residuals and gradients
        lo, hi = off[a], off[e]
        Xb, yb = data._block(lo, hi)
        lab = np.repeat(labels[a:e], sizes[a:e])
        r = (Xb @ Wz)[np.arange(hi - lo), np.maximum(lab, 0)] - yb
        r[lab < 0] = 0.0
        g = weighted_task_sums(off[a:e + 1] - lo, Xb, r) / rt[a:e, None]
        rss[a:e] = task_sum_operator(sizes[a:e]) @ (r * r)
        for c in np.unique(labels[a:e][labels[a:e] >= 0]):    # loop over components only
            gc = g[labels[a:e] == c]
            gsum[c] += gc.sum(axis=0)
            gmom[c] += gc.T @ gc
    return W, ok, gsum, gmom, rss
