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

**The classification's pass shares its rows.** The first pass needs only
the labels, and the robust classification decides each block's labels
from that block's rows alone: when the stage asks for it
(:func:`share_first_pass`, under :func:`~robust_mlr._segments.residual_memo`),
the classification's pass over the pool also sums the normal equations of
the labels it has just set (:class:`FirstPass`, fed each block while its
rows are in cache), and :func:`first_round` takes them instead of reading
the pool once more: the same blocks, the same rows in the same order, the
same sums bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import gram_solve
from ..._segments import (BlockSums, label_sort, labelled_pass_result,
                          share_labelled_pass, task_blocks)
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


def block_weights(off, a, e, t_cap):
    """Task sizes t_i of the tasks ``a:e``, their example weights
    c_i = min(t_i, t_cap)/t_i and √c_i (per block: no per-task array of the
    pool); ``(sizes, t, c, √c)``."""
    sizes = off[a + 1:e + 1] - off[a:e]
    t = sizes.astype(float)
    c_task = np.minimum(t, t_cap) / t
    return sizes, t, c_task, np.sqrt(c_task)


def add_label_grams(G, b, Xs, ys, edges):
    """``G[ℓ] += XᵀX`` and ``b[ℓ] += Xᵀy`` over each label's run of the
    label-ordered rows ``Xs``, ``ys`` (runs by :func:`label_order`'s edges)."""
    for c in range(G.shape[0]):                  # loop over components only
        r0, r1 = edges[c + 1], edges[c + 2]
        if r1 > r0:
            G[c] += Xs[r0:r1].T @ Xs[r0:r1]
            b[c] += Xs[r0:r1].T @ ys[r0:r1]


def weigh_rows(Xs, ys, off, a, e, tasks, t_cap):
    """The label-ordered rows of tasks ``a:e`` (``tasks`` their order) times
    √c_i, X in place; returns ``(Xs, ys)``."""
    sizes, _, _, sw_task = block_weights(off, a, e, t_cap)
    sw = np.repeat(sw_task[tasks], sizes[tasks])
    Xs *= sw[:, None]
    return Xs, ys * sw


class FirstPass:
    """The first round's normal equations (:func:`first_round`'s first pass)
    summed inside another pass over the pool that sets the labels block by
    block (the robust classification's, :func:`share_first_pass`).

    The labelling pass calls :meth:`begin`, then :meth:`add` with each block's
    labels and rows (the pool's scaled rows, in order) and :meth:`end`; one
    complete pass, after which :meth:`take` hands the sums to a first round
    on the same labels.
    """

    def __init__(self, data, k, t_cap):
        self.offsets, self.k, self.t_cap = data.offsets, int(k), float(t_cap)
        t = np.diff(self.offsets).astype(float)
        self.unit = bool(np.all(np.minimum(t, t_cap) / t == 1.0))   # as first_round's
        self.d, self.complete, self.labels = data.dim, False, None

    def begin(self, n):
        """Start a pass over the pool's ``n`` tasks."""
        d, k = self.d, self.k
        self.G, self.b = np.zeros((k, d, d)), np.zeros((k, d))
        self.labels = np.empty(n, dtype=np.int8 if k < 127 else np.int64)
        self.complete, self.buf = False, np.empty(0)

    def add(self, a, e, labels, X, y):
        """Block ``a:e``: its tasks' labels (−1: none) and rows ``X``, ``y``."""
        off = self.offsets
        tasks, order, edges = label_order(labels, off[a:e + 1] - off[a], self.k)
        if X.dtype == np.float64:                # reordered into one reused buffer
            if self.buf.size < X.size:
                self.buf = np.empty(X.size)
            Xs = np.take(X, order, axis=0, mode="clip",
                         out=self.buf[:X.size].reshape(X.shape))
        else:
            Xs = np.take(X, order, axis=0)
        ys = y[order]
        if not self.unit:
            Xs, ys = weigh_rows(Xs, ys, off, a, e, tasks, self.t_cap)
        add_label_grams(self.G, self.b, Xs, ys, edges)
        self.labels[a:e] = labels

    def end(self):
        """The pass is complete: its sums may be taken."""
        self.complete = True

    def take(self, labels, k, t_cap):
        """``(G, b)`` when a complete pass summed them for these labels, k and
        cap; else None."""
        if not (self.complete and k == self.k and t_cap == self.t_cap
                and np.array_equal(self.labels, labels)):
            return None
        return self.G, self.b


def share_first_pass(data, k, t_cap):
    """Ask the next labelling pass over ``data`` (under
    :func:`~robust_mlr._segments.residual_memo`) to sum the first round's
    normal equations of the labels it sets (:class:`FirstPass`); no effect
    outside a memo block."""
    share_labelled_pass(data, FirstPass(data, k, t_cap))


#: Share of the tasks whose labels may have changed since the last first
#: round on the pool for its sums to be updated by their rows instead of
#: summed again.
RELABEL_SHARE = 0.25


def _move_tasks(G, b, data, tasks, old, new, k, t_cap):
    """Move the rows of ``tasks`` from label ``old`` to label ``new`` in each
    label's normal equations (G, b), in place (−1: none)."""
    sub = data.subset(tasks)
    t = sub.sizes.astype(float)
    sw = np.repeat(np.sqrt(np.minimum(t, t_cap) / t), sub.sizes)
    Xs, ys = sub.X * sw[:, None], sub.y * sw
    rows = np.repeat(np.arange(tasks.size), sub.sizes)
    for sign, lab in ((-1.0, old), (1.0, new)):
        order = label_sort(lab[rows], k)
        counts = np.bincount(lab + 1, weights=sub.sizes, minlength=k + 1).astype(np.int64)
        dG, db = np.zeros_like(G), np.zeros_like(b)
        add_label_grams(dG, db, Xs[order], ys[order], np.concatenate([[0], np.cumsum(counts)]))
        G += sign * dG
        b += sign * db


def _remembered_sums(data, labels, k, t_cap):
    """The first round's normal equations for ``labels`` from those the last
    first round on ``data`` summed (kept under
    :func:`~robust_mlr._segments.residual_memo`), the tasks relabelled since
    moved by their rows; None when there are none or too many moved."""
    memo = getattr(data, "_rss_memo", None) or {}
    last = memo.get("first_round_sums")
    if last is None or last[0].shape != labels.shape or last[3:] != (k, t_cap):
        return None
    moved = np.flatnonzero(last[0] != labels)
    if moved.size > RELABEL_SHARE * labels.size:
        return None
    G, b = last[1].copy(), last[2].copy()
    if moved.size:
        _move_tasks(G, b, data, moved, last[0][moved], labels[moved], k, t_cap)
    return G, b


def _remember_sums(data, labels, k, t_cap, G, b):
    """Keep the first round's normal equations for a later first round on
    the pool with other labels (under a residual memo only)."""
    memo = getattr(data, "_rss_memo", None)
    if memo is not None:
        memo["first_round_sums"] = (labels.copy(), G.copy(), b.copy(), k, t_cap)


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
        return block_weights(off, a, e, t_cap)
    # no task above the cap: x · 1 = x
    unit = all(bool(np.all(weights(a, e)[2] == 1.0)) for a, e in blocks)
    # the block read and its label order: two buffers reused by every block
    size = max((int(off[e] - off[a]) for a, e in blocks), default=0) * d
    rows_buf = (np.empty(size), np.empty(size))
    shared = shared_first_pass(data, labels, k, t_cap)
    if shared is None:
        # a reclassification moves a few tasks: their rows, not another pass
        shared = _remembered_sums(data, labels, k, t_cap)
    G, b = shared if shared is not None else (np.zeros((k, d, d)), np.zeros((k, d)))
    for a, e in ([] if shared is not None else blocks):      # pass 1: the normal equations
        lo = off[a]
        tasks, order, edges = label_order(labels[a:e], off[a:e + 1] - lo, k)
        Xs, ys = data._block_rows(lo, off[e], order, rows_buf)
        if not unit:
            Xs, ys = weigh_rows(Xs, ys, off, a, e, tasks, t_cap)
        add_label_grams(G, b, Xs, ys, edges)
    _remember_sums(data, labels, k, t_cap, G, b)
    W, ok = np.full((d, k), np.nan), np.zeros(k, bool)
    for c in range(k):
        w = gram_solve(G[c], b[c])
        if w is not None:
            W[:, c], ok[c] = w, True
    Wz = np.where(ok, W, 0.0)
    gsum, gmom, rss = np.zeros((k, d)), np.zeros((k, d, d)), np.empty(data.n_tasks)
    M, wsum = np.zeros((k, d, d)), np.zeros(k)
    sums = BlockSums()
    buf = np.empty(0)                  # weighted rows R (weights below one), reused
    for a, e in blocks:                          # pass 2: residuals, gradients, moments
        lo = off[a]
        tasks, order, edges = label_order(labels[a:e], off[a:e + 1] - lo, k)
        Xs, ys = data._block_rows(lo, off[e], order, rows_buf)
        if not (unit and statistics) and buf.size < Xs.size:
            buf = np.empty(Xs.size, dtype=Xs.dtype)
        sizes, t, c_task, sw_task = weights(a, e)
        ts = sizes[tasks]
        r = np.zeros(order.size)
        sw = None if unit else np.repeat(sw_task[tasks], ts)
        # unit weights: Σ c_i over a label's rows is its row count (a sum of ones)
        cw = np.repeat(c_task[tasks], ts) if statistics and not unit else None
        # unit weights: the rows R = r·x of the moment are the gradients'
        # summands too (the products of the sparse sum Σ r_j x_j, bit for
        # bit), so R is formed once for the whole block, over the block's
        # own rows (a fresh copy, not needed once r is known)
        whole = unit and statistics
        Rb = Xs if whole else None
        for c in range(k):                       # loop over components only
            r0, r1 = edges[c + 1], edges[c + 2]
            if r1 > r0:
                Xc = Xs[r0:r1]
                np.subtract(Xc @ Wz[:, c], ys[r0:r1], out=r[r0:r1])
                if whole:
                    R = np.multiply(Xc, r[r0:r1, None], out=Xc)
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


def shared_first_pass(data, labels, k, t_cap):
    """The normal equations a labelling pass summed for ``labels``
    (:func:`share_first_pass`), taken once; None when there are none."""
    share = labelled_pass_result(data)
    if not isinstance(share, FirstPass):
        return None
    return None if share is None else share.take(labels, k, t_cap)
