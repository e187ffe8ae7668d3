"""The regression filter's first round for every component at once, in two
blocked passes over the pool (private).

A round of the filter (:func:`~.robust.filter_regression`) on a component
is a weighted least-squares fit, the per-task gradients at it and the
per-example moment of the residuals (the clean reference of its stopping
rule). For the first round every task of the component is kept, so the
fits of all k components need one pass over the pool (per block of tasks,
the rows in label order, one ``XᵀX`` per label, as the ICML refinement's
``label_grams``) and the gradients and moments a second (per label run of
the sorted block: the residuals by one ``X w``, the moment by one ``RᵀR``,
per-task sums by a sparse product). No component's rows are gathered into
a copy, and a screened pool is read through its scaled blocks. Only a
component whose first round does not meet the stopping rule is then
filtered on its own (its later rounds need the random draws, made in
component order as before), starting from this pass's normal equations and
reference: its rows are read for the gradients, not for another Gram
matrix. Its stopping test needs only each component's
gradient mean and covariance, summed block by block: no per-task gradient
array is kept.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import gram_solve
from ..._segments import BlockSums, label_sort, task_blocks
from ...data import example_rows


def label_order(labels, offsets, k):
    """Rows of a block of tasks in label order, and the label runs.

    Parameters
    ----------
    labels : ndarray of int (n_b,)
        Label of each task of the block (−1: none).
    offsets : ndarray (n_b + 1,)
        The block's task offsets, starting at 0.
    k : int

    Returns
    -------
    tasks : ndarray of int (n_b,)
        The tasks in stable label order (unlabelled first).
    rows : ndarray of int (N_b,)
        Their rows: the stable sort of the rows by label (a task's rows
        stay together and in order).
    edges : ndarray of int (k + 2,)
        Label ℓ owns the sorted rows ``edges[ℓ + 1]:edges[ℓ + 2]``.
    """
    tasks = label_sort(labels, k)
    sizes = np.diff(offsets)
    counts = np.bincount(labels + 1, weights=sizes, minlength=k + 1).astype(np.int64)
    t = int(sizes[0])
    if np.all(sizes == t):                       # tasks of one size: rows by broadcasting
        rows = (tasks[:, None] * t + np.arange(t)).ravel()
    else:
        rows = example_rows(offsets, tasks)
    return tasks, rows, np.concatenate([[0], np.cumsum(counts)])


def first_round(data, labels, k, t_cap, *, statistics=False):
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
    statistics : bool
        Also return the pass's per-component statistics (below).

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
    stats : dict, with ``statistics`` only
        ``grams`` (k, d, d): Σ c_i x_j x_jᵀ per component, c_i =
        min(t_i, t_cap)/t_i (the normal equations' matrices); ``rhs`` (k, d):
        Σ c_i y_j x_j (their right-hand sides);
        ``example_moments`` (k entries): the per-example moment
        Σ c_i r_j² x_j x_jᵀ / Σ c_i at the component's fit (None where the
        fit is not ok), the clean reference of the stopping rule.
    """
    off, d = data.offsets, data.dim
    blocks = task_blocks(off, data._row_bytes)

    def weights(a, e):
        """The block's task sizes t_i, weights c_i = min(t_i, t_cap)/t_i and √c_i
        (per block: no per-task array of the pool)."""
        sizes = off[a + 1:e + 1] - off[a:e]
        t = sizes.astype(float)
        c_task = np.minimum(t, t_cap) / t
        return sizes, t, c_task, np.sqrt(c_task)
    # no task above the cap: x · 1 = x
    unit = all(bool(np.all(weights(a, e)[2] == 1.0)) for a, e in blocks)
    G, b = np.zeros((k, d, d)), np.zeros((k, d))
    for a, e in blocks:                          # pass 1: the normal equations
        lo = off[a]
        tasks, order, edges = label_order(labels[a:e], off[a:e + 1] - lo, k)
        Xs, ys = data._block_rows(lo, off[e], order)
        if not unit:
            sizes, _, _, sw_task = weights(a, e)
            sw = np.repeat(sw_task[tasks], sizes[tasks])
            Xs *= sw[:, None]
            ys = ys * sw
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
    M, wsum = np.zeros((k, d, d)), np.zeros(k)
    sums = BlockSums()
    buf = np.empty(0)                            # the weighted rows R, reused across blocks
    for a, e in blocks:                          # pass 2: residuals, gradients, moments
        lo = off[a]
        tasks, order, edges = label_order(labels[a:e], off[a:e + 1] - lo, k)
        Xs, ys = data._block_rows(lo, off[e], order)
        if buf.size < Xs.size:
            buf = np.empty(Xs.size, dtype=Xs.dtype)
        sizes, t, c_task, sw_task = weights(a, e)
        ts = sizes[tasks]
        r = np.zeros(order.size)
        sw = None if unit else np.repeat(sw_task[tasks], ts)
        # unit weights: Σ c_i over a label's rows is its row count (a sum of ones)
        cw = np.repeat(c_task[tasks], ts) if statistics and not unit else None
        # unit weights: the rows R = r·x of the moment are the gradients'
        # summands too (the products of the sparse sum Σ r_j x_j, bit for
        # bit), so R is formed once for the whole block
        whole = unit and statistics
        Rb = buf[:Xs.size].reshape(Xs.shape) if whole else None
        for c in range(k):                       # loop over components only
            r0, r1 = edges[c + 1], edges[c + 2]
            if r1 > r0:
                Xc = Xs[r0:r1]
                np.subtract(Xc @ Wz[:, c], ys[r0:r1], out=r[r0:r1])
                if whole:
                    R = np.multiply(Xc, r[r0:r1, None], out=Rb[r0:r1])
                if statistics and ok[c]:
                    if not whole:
                        R = np.multiply(Xc, (r[r0:r1] * sw[r0:r1])[:, None],
                                        out=buf[:Xc.size].reshape(Xc.shape))
                    M[c] += R.T @ R
                    wsum[c] += float(r1 - r0) if unit else cw[r0:r1].sum()
        toff = np.concatenate([[0], np.cumsum(ts)])
        if whole:
            # unlabelled rows have r = 0: their sums are +0 either way
            Rb[:edges[1]] = 0.0
            g = sums(toff, Rb)
        else:
            g = sums(toff, Xs, r)
        g /= np.sqrt(t)[tasks, None]
        rss[a + tasks] = sums(toff, r * r)
        # the block's tasks are in label order: label c owns one run of g
        tedges = np.searchsorted(labels[a + tasks], np.arange(-1, k + 1), side="left")
        for c in range(k):                       # loop over components only
            if tedges[c + 2] > tedges[c + 1]:
                gc = g[tedges[c + 1]:tedges[c + 2]]
                gsum[c] += gc.sum(axis=0)
                gmom[c] += gc.T @ gc
    if not statistics:
        return W, ok, gsum, gmom, rss
    moments = [M[c] / wsum[c] if wsum[c] > 0 else None for c in range(k)]
    return W, ok, gsum, gmom, rss, {"grams": G, "rhs": b, "example_moments": moments}
