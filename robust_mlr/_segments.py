"""Per-task segment reductions and one-pass blocked reductions (private).

Segment sums over the tasks' examples use a sparse n × N task-indicator
matrix built once per fit: the same reduction as ``MetaDataset.task_sums``
(``np.add.reduceat``), measured about 10× faster for N = 40 000, d = 32
(4 ms against 41 ms in one process), which matters for methods that reduce
every iteration.

The stages of a fit that read a whole pool once (moment estimate,
classification, refinement, the robust filters' gradients) use the blocked
passes below: task-aligned blocks of about 4 MB of rows, so every temporary
is block-sized and stays in cache, and per-task sums by sparse products
(``csr @ X``), which read X once without a ``weights · X`` copy. Stages that
read a pool's residual sums at the same W one after another share one pass
under :func:`residual_memo`.
"""

from __future__ import annotations

import contextlib

import numpy as np
from scipy import sparse


class Segments:
    """Task-indicator operator of a MetaDataset: per-task sums and gathers."""

    def __init__(self, data):
        N, n = data.n_examples, data.n_tasks
        self.index = data.task_index
        self.sizes = data.sizes
        self.S = sparse.csr_matrix((np.ones(N), (self.index, np.arange(N))), shape=(n, N))

    def sum(self, values):
        """Per-task sums of an (N, ...) array -> (n, ...)."""
        values = np.asarray(values)
        flat = values.reshape(values.shape[0], -1)
        return np.asarray(self.S @ flat).reshape((self.S.shape[0],) + values.shape[1:])

    def rowdot(self, A, C):
        """a_jᵀ c_{task(j)} for every example j: A (N, r), C (n, r) -> (N,)."""
        return np.einsum("ij,ij->i", A, C[self.index])

    def solve(self, A, b, ridge=1e-10):
        """Per-task least squares in the columns of A: (A_iᵀA_i + λ_i I) v_i = A_iᵀ b_i.

        A (N, r), b (N,); the n systems are stacked (n, r, r) and solved by
        one batched :func:`numpy.linalg.solve`. λ_i = ``ridge`` · tr(A_iᵀA_i)/r
        only guards against exact singularity. Returns (n, r).
        """
        r = A.shape[1]
        G = self.sum(A[:, :, None] * A[:, None, :])
        rhs = self.sum(A * b[:, None])
        lam = ridge * np.trace(G, axis1=1, axis2=2) / r + 1e-300
        G = G + lam[:, None, None] * np.eye(r)
        return np.linalg.solve(G, rhs[:, :, None])[:, :, 0]


# ------------------------------------------------------------ blocked passes
#: Bytes of the example rows one block of a blocked pass reads: the block's
#: temporaries (a gathered copy, products) then stay in cache, and one pass
#: reads every example once.
BLOCK_BYTES = 1 << 22


def task_blocks(offsets, row_bytes, block_bytes=BLOCK_BYTES):
    """Consecutive task ranges ``(a, b)`` covering all tasks, each owning
    about ``block_bytes`` of example rows (rows ``offsets[a]:offsets[b]``;
    a block holds at least one task, so one larger task is a block alone)."""
    offsets = np.asarray(offsets)
    n, N = offsets.size - 1, int(offsets[-1])
    rows = max(1, int(block_bytes // max(row_bytes, 1)))
    cuts = np.searchsorted(offsets, np.arange(rows, N, rows), side="left")
    bounds = np.unique(np.concatenate([[0], cuts, [n]]))
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


def chunk_operator(sizes, n_chunks, weights=None):
    """Sparse (G·n × N) matrix of chunk means over tasks of the given sizes.

    Row ``g·n + i`` averages the rows of the g-th chunk of task i, the
    positions ``[⌊g t_i / G⌋, ⌊(g + 1) t_i / G⌋)`` (the chunks of
    ``MetaDataset.chunk_means``), each row scaled by ``weights`` (N,) if
    given; ``(A @ X).reshape(G, n, d)`` are then the chunk means of
    ``weights·x`` read in one pass over X without an N × d temporary.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    G, n = int(n_chunks), sizes.size
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    g = np.arange(G)[:, None]
    lo = (start + g * sizes // G).ravel()
    cnt = (start + (g + 1) * sizes // G).ravel() - lo
    indptr = np.concatenate([[0], np.cumsum(cnt)])
    cols = np.arange(indptr[-1]) + np.repeat(lo - indptr[:-1], cnt)
    vals = 1.0 / np.repeat(cnt, cnt)
    if weights is not None:
        vals *= np.asarray(weights)[cols]
    return sparse.csr_matrix((vals, cols, indptr), shape=(G * n, int(sizes.sum())))


def task_sum_operator(sizes):
    """Sparse (n × N) task-indicator matrix of consecutive tasks of the given sizes."""
    sizes = np.asarray(sizes, dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    N = int(indptr[-1])
    return sparse.csr_matrix((np.ones(N), np.arange(N), indptr), shape=(sizes.size, N))


class BlockSums:
    """Per-task sums over the blocks of a pass, one sparse operator reused
    while the blocks' task offsets repeat (a pool of equal task sizes builds
    it once: scipy's constructor checks cost ≈ 0.2 ms a block, more than the
    product). Local to one pass; the sums are those of
    :func:`weighted_task_sums` and :func:`task_sum_operator`, bit for bit.

    Examples
    --------
    >>> sums = BlockSums()
    >>> off = np.array([0, 2, 4])
    >>> sums(off, np.arange(4.0)), sums(off, np.ones(4), np.array([1.0, 2.0, 3.0, 4.0]))
    (array([1., 5.]), array([3., 7.]))
    """

    def __init__(self):
        self._offsets, self._S = None, None

    def __call__(self, offsets, X, weights=None):
        """``Σ_j weights_j X_j`` per task of the block's ``offsets`` (local,
        from 0); unit weights when None."""
        offsets = np.asarray(offsets)
        N = int(offsets[-1])
        data = np.ones(N) if weights is None else np.asarray(weights, dtype=float)
        if self._offsets is None or not np.array_equal(offsets, self._offsets):
            self._S = sparse.csr_matrix((data, np.arange(N), offsets),
                                        shape=(offsets.size - 1, N))
            self._offsets = offsets.copy()
        else:
            self._S.data = data
        X = np.asarray(X)
        flat = X.reshape(N, -1)
        return np.asarray(self._S @ flat).reshape((offsets.size - 1,) + X.shape[1:])


def label_sort(labels, k):
    """``np.argsort(labels, kind="stable")`` for labels in −1..k−1, by numpy's
    radix sort of 8- or 16-bit integers (the stable order is unique, so the
    same permutation; ≈ 4× faster than the merge sort of int64 labels at the
    block sizes of the passes)."""
    labels = np.asarray(labels)
    if k < 127:
        labels = labels.astype(np.int8)
    elif k < 32767:
        labels = labels.astype(np.int16)
    return np.argsort(labels, kind="stable")


def label_grams(X, y, offsets, labels, k):
    """Normal-equation statistics of the examples of each label, in one
    blocked pass.

    Parameters
    ----------
    X : ndarray (N, d), y : ndarray (N,), offsets : ndarray (n + 1,)
        Tasks as in ``MetaDataset``.
    labels : ndarray of int (n,)
        Label of each task in ``0..k-1``; ``-1`` leaves a task out.
    k : int

    Returns
    -------
    G : ndarray (k, d, d)
        ``Σ x xᵀ`` over the examples of each label.
    b : ndarray (k, d)
        ``Σ y x``.
    yy : ndarray (k,)
        ``Σ y²``.
    count : ndarray of int (k,)
        Number of examples.

    Notes
    -----
    Per block of task-aligned rows the examples are gathered in label order
    (one copy of the block, in cache) and each label's contiguous run feeds
    one ``XᵀX`` (a BLAS ``syrk``), so no N × d copy is made and the flops are
    those of one Gram matrix over the pool.
    """
    d = X.shape[1]
    sizes = np.diff(offsets)
    G, b = np.zeros((k, d, d)), np.zeros((k, d))
    yy, count = np.zeros(k), np.zeros(k, dtype=np.int64)
    for a, e in task_blocks(offsets, X.itemsize * d):
        lo, hi = offsets[a], offsets[e]
        lab = np.repeat(labels[a:e], sizes[a:e])
        order = label_sort(lab, k)
        edges = np.concatenate([[0], np.cumsum(np.bincount(lab + 1, minlength=k + 1))])
        Xs, ys = np.take(X[lo:hi], order, axis=0), y[lo:hi][order]
        for ell in range(k):                     # loop over labels only
            r0, r1 = edges[ell + 1], edges[ell + 2]
            if r1 > r0:
                Xl, yl = Xs[r0:r1], ys[r0:r1]
                G[ell] += Xl.T @ Xl
                b[ell] += yl @ Xl
                yy[ell] += yl @ yl
                count[ell] += r1 - r0
    return G, b, yy, count


def label_rss(X, y, offsets, labels, W):
    """Residual sum of squares ``Σ (y − xᵀ W[:, label])²`` per label (k,), in
    one blocked pass; tasks labelled ``-1`` are left out."""
    k = W.shape[1]
    sizes = np.diff(offsets)
    rss = np.zeros(k)
    for a, e in task_blocks(offsets, X.itemsize * X.shape[1]):
        lo, hi = offsets[a], offsets[e]
        lab = np.repeat(labels[a:e], sizes[a:e])
        keep = lab >= 0
        r = y[lo:hi] - (X[lo:hi] @ W)[np.arange(hi - lo), lab]
        rss += np.bincount(lab[keep], weights=r[keep] ** 2, minlength=k)
    return rss


def task_rss(X, y, offsets, W):
    """Per-task residual sums of squares ``Σ_j (y_j − x_jᵀ w_ℓ)²`` for every
    column w_ℓ of W, (n, k), in one blocked pass (no N × k temporaries)."""
    return _task_rss(lambda lo, hi: (X[lo:hi], y[lo:hi]), offsets, X.itemsize * X.shape[1], W)


def pool_task_rss(data, W):
    """:func:`task_rss` of a MetaDataset, its rows read block by block
    (``data._block``: a screened pool scales each block, never all of X);
    under :func:`residual_memo`, the kept sums when W is the memo's."""
    kept = _memo_hit(data, W)
    if kept is not None:
        return kept.copy()
    return _gathered(data.offsets, W, block_task_rss(data, W))


def _task_rss(block, offsets, row_bytes, W):
    return _gathered(offsets, W, _block_rss(block, offsets, row_bytes, W))


def _gathered(offsets, W, blocks):
    """The (n, k) array of the per-block sums ``(a, e, rss)`` of a pass."""
    out = np.empty((offsets.size - 1, np.shape(W)[1]))
    for a, e, rss in blocks:
        out[a:e] = rss
    return out


def block_task_rss(data, W, rows=False):
    """:func:`pool_task_rss` block by block: yields ``(a, e, rss)``, the
    residual sums (e − a, k) of tasks ``a:e`` (the same values; a caller
    that reduces each block holds no n × k array); with ``rows`` also the
    block's rows ``(a, e, rss, X, y)``.

    Under :func:`residual_memo` a pass at the memo's W (bit for bit) reads
    the kept sums instead of the rows (read-only views, the same task
    blocks), and a completed pass at another W (without ``rows``) becomes
    the memo."""
    kept = None if rows else _memo_hit(data, W)
    if kept is not None:
        return _memo_blocks(data, kept)
    return _block_rss_kept(data, W, rows)


def _block_rss_kept(data, W, rows):
    """The blocked pass of :func:`block_task_rss`, its sums written into the
    memo's array when a memo is active (committed once the pass is complete:
    a caller that stops early leaves none)."""
    memo = getattr(data, "_rss_memo", None)
    keep = memo is not None and not rows
    if keep:
        memo.pop("kept", None)            # one n × k array at a time
        out = np.empty((data.offsets.size - 1, np.shape(W)[1]))
    # the scaled rows of each block into one reused buffer (the caller of
    # ``rows`` uses a block's rows before it asks for the next)
    buf = np.empty(0)

    def block(lo, hi):
        nonlocal buf
        if buf.size < (hi - lo) * data.dim:
            buf = np.empty((hi - lo) * data.dim)
        return data._block(lo, hi, out=buf)
    for item in _block_rss(block, data.offsets, data._row_bytes, W, rows):
        if keep:
            out[item[0]:item[1]] = item[2]
        yield item
    if keep:
        out.setflags(write=False)
        # one assignment: a reader sees W and its sums together
        memo["kept"] = (np.array(W, dtype=float, copy=True), out)


def _block_rss(block, offsets, row_bytes, W, rows=False):
    """(a, e, rss) per task block (``rows``: and the block's rows X, y)."""
    sums = BlockSums()
    for a, e in task_blocks(offsets, row_bytes):
        Xb, yb = block(offsets[a], offsets[e])
        R = Xb @ W
        np.subtract(yb[:, None], R, out=R)
        R *= R
        rss = sums(offsets[a:e + 1] - offsets[a], R)
        yield (a, e, rss, Xb, yb) if rows else (a, e, rss)


def _memo_hit(data, W):
    """The kept (n, k) sums of :func:`residual_memo` when they were taken at
    exactly this W (same shape and bits), else None."""
    kept = (getattr(data, "_rss_memo", None) or {}).get("kept")
    if kept is None:
        return None
    W = np.asarray(W, dtype=float)
    same = kept[0].shape == W.shape and kept[0].tobytes() == W.tobytes()
    return kept[1] if same else None


def _memo_blocks(data, kept):
    """The kept sums as :func:`block_task_rss` yields them, by the same task blocks."""
    for a, e in task_blocks(data.offsets, data._row_bytes):
        yield a, e, kept[a:e]


@contextlib.contextmanager
def residual_memo(data):
    """Keep the per-task residual sums of squares of ``data`` at one W while
    the block is active.

    Several stages read a pool's residual sums at the same W: the
    regression's noise levels at its final Ŵ, then the classification's
    check of p̂ (and a reclassification) at the same Ŵ. Within the block,
    the last complete pass of :func:`block_task_rss` or
    :func:`pool_task_rss` keeps its sums (one n × k array; a pass at
    another W replaces it), and a pass at the same W, bit for bit, reads
    them instead of the rows: the same values, one pass over the pool
    fewer. The pool must not change within the block (a fit reads it only).
    A block inside another on the same pool shares its memo.
    """
    own = getattr(data, "_rss_memo", None) is None
    if own:
        data._rss_memo = {}
    try:
        yield data
    finally:
        if own:
            vars(data).pop("_rss_memo", None)


def share_labelled_pass(data, consumer):
    """Under :func:`residual_memo`, hand the next pass over ``data`` that
    labels its tasks block by block (the robust classification's) a
    ``consumer`` of each block's labels and rows: a later stage that needs
    a pass over the same rows with those labels (the regression filter's
    normal equations) then sums it in the same read.

    The consumer has ``begin(n)``, ``add(a, e, labels, X, y)`` per task
    block ``a:e`` (its tasks' labels and the pool's rows, as ``data._block``
    reads them) and ``end()``, and is fed one complete pass; outside a memo
    block nothing is kept.
    """
    memo = getattr(data, "_rss_memo", None)
    if memo is not None:
        memo["labelled"] = consumer


def labelled_pass(data, W):
    """The consumer :func:`share_labelled_pass` registered, for a labelling
    pass at W that reads rows (None when there is none, when it was fed a
    complete pass already, or when the memo holds the sums at W: that pass
    reads no rows)."""
    memo = getattr(data, "_rss_memo", None) or {}
    consumer = memo.get("labelled")
    if consumer is None or consumer.complete or _memo_hit(data, W) is not None:
        return None
    return consumer


def labelled_pass_result(data):
    """The consumer :func:`share_labelled_pass` registered, once its pass is
    complete, removed from the memo (taken once); else None."""
    memo = getattr(data, "_rss_memo", None) or {}
    consumer = memo.get("labelled")
    if consumer is None or not consumer.complete:
        return None
    del memo["labelled"]
    return consumer


def pool_weighted_sums(data, weights, out=None):
    """Per-task sums ``Σ_j weights_j x_j`` (n, d) of a MetaDataset's covariates,
    by blocks of tasks (``data._block``; one pass over X, equal entry for
    entry to :func:`weighted_task_sums`, whose sparse product sums each task
    on its own), into ``out`` if given (no n × d allocation)."""
    off = data.offsets
    out = np.empty((data.n_tasks, data.dim)) if out is None else out
    sums = BlockSums()
    for a, e in task_blocks(off, data._row_bytes):
        lo, hi = off[a], off[e]
        out[a:e] = sums(off[a:e + 1] - lo, data._block(lo, hi)[0], weights[lo:hi])
    return out


def weighted_task_sums(offsets, X, weights):
    """Per-task sums ``Σ_j weights_j X_j`` (n, ...) of an (N, ...) array, by one
    sparse product (a pass over X; no ``weights · X`` temporary, and about ten
    times faster than :func:`numpy.add.reduceat` over rows)."""
    offsets = np.asarray(offsets)
    N = int(offsets[-1])
    S = sparse.csr_matrix((np.asarray(weights, dtype=float), np.arange(N), offsets),
                          shape=(offsets.size - 1, N))
    X = np.asarray(X)
    flat = X.reshape(N, -1)
    return np.asarray(S @ flat).reshape((offsets.size - 1,) + X.shape[1:])


def task_weighted_row_quantile(data, q, blocks=None):
    """The task-weighted quantile of a pool's ‖x_j‖², read in blocked passes.

    Each row of task i weighs 1/t_i (every task 1); the result is the
    smallest v whose rows ‖x_j‖² ≤ v weigh at least fl(q·n) (n tasks with
    rows), the weights summed exactly: the sort ``sq[order][searchsorted(
    cumsum(w[order]), q·Σw)]`` bit for bit wherever its float sums cannot
    decide an exact tie (always for tasks of 2ᵏ examples). Two passes over
    ``blocks`` holding no per-row array: a strided sample (only its rows
    are summed), then a count that gathers the rows of the sample's bracket
    (:func:`~._select.blocked_weighted_quantile`). The light Gram's row cap
    of the robust regression (Kong, Somani, Kakade, Oh 2020: the heavy
    anchor's pooling) is this quantile.

    Parameters
    ----------
    data : MetaDataset
        The pool (read by ``data._block``).
    q : float
        Level in [0, 1].
    blocks : list of (int, int), optional
        Task ranges of the passes (default :func:`task_blocks`).

    Returns
    -------
    float
        The quantile; 0.0 for a pool without rows.
    """
    from ._select import blocked_weighted_quantile
    off = data.offsets
    blocks = task_blocks(off, data._row_bytes) if blocks is None else blocks
    den = np.unique(np.concatenate([np.unique(off[a + 1:e + 1] - off[a:e]) for a, e in blocks]
                                   + [np.zeros(0, np.int64)]))
    tasks = np.zeros(den.size, np.int64)
    for a, e in blocks:
        tasks += np.bincount(np.searchsorted(den, off[a + 1:e + 1] - off[a:e]), minlength=den.size)
    totals = tasks * den                                   # rows of each task size

    def rows(a, e, first=0, step=1):   # ‖x‖² of the block's rows first::step, each one's class
        t = off[a + 1:e + 1] - off[a:e]
        X = data._block(off[a], off[e])[0][first::step]
        return (np.einsum("ij,ij->i", X, X).astype(float, copy=False),
                np.repeat(np.searchsorted(den, t), t)[first::step].copy())    # not a view

    def sample(step):
        parts = [rows(a, e, (-int(off[a])) % step, step) for a, e in blocks]
        return [np.concatenate(p) for p in zip(*parts)]
    if not off[-1]:
        return 0.0
    return blocked_weighted_quantile(lambda: (rows(a, e) for a, e in blocks),
                                     np.maximum(den, 1), totals, q, sample)
