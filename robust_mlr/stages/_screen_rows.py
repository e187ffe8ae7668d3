"""Per-example statistics of the screen, read by blocks of rows (private).

:mod:`robust_mlr.stages.screening` judges every example by its scaled
squared norm u = ||clip(x/σ̂_x)||²/d and largest squared coordinate
m = max_j clip(x_j/σ̂_x)². Both come from one pass over the covariates by
blocks of rows (:func:`_norms_pass`), written to a per-example store — an
array for a pool in memory, a temporary file for a pool whose rows stay on
disk (``MetaDataset._example_rows``) — and every later use reads the store
by blocks (:class:`_ExampleStats`): the screen's medians and tail fits are
exact selections over those blocks (their bracketing sample read at the
sampled rows alone), so no N-sized array is held.
"""

from __future__ import annotations

import math

import numpy as np

#: Entries are clipped to ± this many robust scales before squaring: far
#: beyond any screening threshold, so the clip never changes a decision.
_CLIP = 1e6


#: Rows of a pool scaled at once when only a per-example statistic is needed.
_ROW_BLOCK = 1 << 14
#: Most entries of |x| the robust covariate scale reads (a strided sample).
_SCALE_SAMPLE = 1 << 22
def _scaled_sq_norms(X, sx):
    """||clip(x_j/σ̂_x)||²/d per example, by blocks of rows (no N × d copy)."""
    out = np.empty(X.shape[0])
    for a in range(0, X.shape[0], _ROW_BLOCK):
        with np.errstate(over="ignore", invalid="ignore"):
            Z = np.clip(X[a:a + _ROW_BLOCK] / sx, -_CLIP, _CLIP)
        out[a:a + _ROW_BLOCK] = np.einsum("ij,ij->i", Z, Z)
    return out / X.shape[1]


def _scaled_max_sq(X, sx):
    """max_j clip(x_j/σ̂_x)² per example, by blocks of rows."""
    return _max_sq_at(_abs_max(X), sx)


#: Rows of the row-wise maximum at once (1 MB at d = 32: the chunk stays in
#: cache while every coordinate is read; smaller chunks measured slower, the
#: numpy calls a chunk outweighing the cache they save).
_MAX_ROWS = 1 << 12
#: Halvings of the row-wise maximum made on the whole chunk at once.
_HALVINGS = 3


def _max_work(rows, d, dtype):
    """Work buffers of :func:`_abs_max` for chunks of ``rows`` rows: |X|
    and the two buffers of its halvings (allocated once per pass: fresh
    buffers each call cost page faults)."""
    return tuple(np.empty(rows * d, dtype=dtype) for _ in range(3))


def _abs_max(X, out=None, sx=None, norms=None, work=None):
    """max_j |x_j| per example: |X| of a cache-sized chunk of rows in one
    contiguous operation (one reused buffer), then up to :data:`_HALVINGS`
    halvings of the row width w (while it is even), each one contiguous
    maximum of the flattened chunk with itself shifted by w/2 — entry
    (i, j) becomes max(x_ij, x_i,j+w/2), and the entries j ≥ w/2 that mix
    two rows are never read — and last a maximum over the remaining strided
    columns (measured at d = 32 on a loaded machine: numpy's reduction along
    rows ≈ 3 ns an entry, the two halves and a maximum over 16 strided
    columns ≈ 1.06, this ≈ 0.8). The maximum is exact in any order, and NaN
    propagates.

    With ``sx`` and ``norms`` (N, of X's dtype), also ||clip(x_j/σ̂_x)||² into ``norms``
    from the same chunk while it is in cache: |x|/σ̂_x = |x/σ̂_x| and
    (−z)² = z², so these are the numbers of ``X / sx`` (clipped only where
    the chunk reaches the clip, elsewhere the clip changes nothing).
    ``work``: :func:`_max_work` buffers of at least :data:`_MAX_ROWS` rows
    of X's width and dtype (reused across calls)."""
    m = np.empty(X.shape[0]) if out is None else out
    d = X.shape[1]
    if work is None:
        work = _max_work(min(_MAX_ROWS, X.shape[0]), d, X.dtype)
    for a in range(0, X.shape[0], _MAX_ROWS):
        Xa, ma = X[a:a + _MAX_ROWS], m[a:a + _MAX_ROWS]
        A = np.abs(Xa, out=work[0][:ma.size * d].reshape(ma.size, d))
        _row_max(A, ma, work[1:])
        if sx is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                A /= sx
                if not ma.max(initial=0.0) / sx <= _CLIP:     # else no entry reaches it
                    np.clip(A, -_CLIP, _CLIP, out=A)
            norms[a:a + ma.size] = np.einsum("ij,ij->i", A, A)
    return m


def _row_max(A, out, shifted):
    """max_j A[:, j] into ``out`` (A C-ordered; ``shifted``: two work
    buffers of A's size): :func:`_abs_max`'s halvings, then
    :func:`_column_max` of the columns left."""
    r, d = A.shape
    w, flat, length = d, A.reshape(-1), A.size
    for level in range(_HALVINGS):
        if w % 2 or w <= 2:
            break
        w //= 2
        length -= w              # row i's first w entries, i·d … i·d + w − 1, all computed
        dst = shifted[level % 2]
        np.maximum(flat[:length], flat[w:length + w], out=dst[:length])
        flat = dst
    M = A if w == d else flat[:r * d].reshape(r, d)     # entries past ``length`` not read
    return _column_max(M[:, :w], out)


def _column_max(A, out):
    """max_j A[:, j] into ``out``, one column at a time (NaN propagates)."""
    if A.shape[1] == 1:
        out[...] = A[:, 0]
        return out
    np.maximum(A[:, 0], A[:, 1], out=out)
    for j in range(2, A.shape[1]):               # loop over coordinates only
        np.maximum(out, A[:, j], out=out)
    return out


def _max_sq_at(abs_max, sx):
    """max_j clip(x_j/σ̂_x)² from max_j |x_j|: division by σ̂_x > 0, the clip
    and the square are monotone in |x_j|, so this is the same number."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = abs_max / sx
        if not z.max(initial=0.0) <= _CLIP:        # else the clip changes nothing
            np.clip(z, -_CLIP, _CLIP, out=z)
    return np.multiply(z, z, out=z)


def _norms_pass(data, sx):
    """One pass by blocks of rows: per example ||clip(x_j/σ̂_x)||²/d and
    max_j |x_j|, written to an (N, 2) store (in memory, or a temporary file
    for a pool on disk: ``MetaDataset._example_rows``), and the pool's
    largest |x_j|. The pass's buffers are allocated once."""
    X = data.X
    N, d = X.shape
    store, top = data._example_rows(2), 0.0
    rows = min(_ROW_BLOCK, N)
    pair = np.empty((rows, 2))                     # a block's (u, m), written to the store
    sq = work = None
    for a in range(0, N, _ROW_BLOCK):
        Xb = X[a:a + _ROW_BLOCK]
        r = Xb.shape[0]
        if sq is None or sq.dtype != Xb.dtype:
            sq = np.empty(rows, dtype=Xb.dtype)    # the dtype of Xb / sx and its norms
            work = _max_work(min(_MAX_ROWS, rows), d, Xb.dtype)
        m = pair[:r, 1]
        _abs_max(Xb, out=m, sx=sx, norms=sq[:r], work=work)   # norms from |x|'s buffer
        top = max(top, m.max(initial=0.0))
        np.divide(sq[:r], d, out=pair[:r, 0])
        store[a:a + r] = pair[:r]
    return store, top


#: Rows of a per-example statistic read at once by the screen's selections.
_STAT_ROWS = 1 << 16


class _ExampleStats:
    """The screen's per-example statistics of one pool, read by rows:
    ``read(rows)`` gives (u, m) for the examples of the slice ``rows``,
    u = ||clip(x/σ̂_x)||²/d and m = max_j clip(x_j/σ̂_x)², and ``u(rows)``
    u alone (m is not computed); no N-sized array is built here."""

    def __init__(self, read, n):
        self._read, self.n = read, int(n)

    def read(self, rows):
        return self._read(rows, True)

    def u(self, rows):
        return self._read(rows, False)[0]

    @classmethod
    def of_arrays(cls, u, m):
        return cls(lambda rows, with_m: (u[rows], None if m is None or not with_m else m[rows]),
                   len(u))

    @classmethod
    def of_store(cls, store, sx0, sx):
        """From :func:`_norms_pass`'s store at the first scale σ̂_x0, at σ̂_x:
        ||clip(x/σ̂_x)||² = (σ̂_x0/σ̂_x)² ||clip(x/σ̂_x0)||² up to rounding and
        the clip, which both act only far beyond every screening threshold."""
        f = (sx0 / sx) ** 2

        def read(rows, with_m):
            r = store[rows]
            return r[:, 0] * f, _max_sq_at(r[:, 1], sx) if with_m else None
        return cls(read, store.shape[0])

    def blocks(self, fn):
        """A callable yielding ``fn(rows)`` over consecutive row slices."""
        return lambda: (fn(slice(a, min(a + _STAT_ROWS, self.n)))
                        for a in range(0, self.n, _STAT_ROWS))

    def sample(self, fn):
        """``step ↦ fn`` at every step-th example: the strided sample of the
        values :meth:`blocks` yields, computed at those rows only
        (:func:`~robust_mlr._select.blocked_order_statistics_of_streams`)."""
        return lambda step: fn(slice(0, self.n, step))


def _abs_sample(datasets):
    """|x| entries of all pools, every s-th of each pool's flattened
    covariates so that at most :data:`_SCALE_SAMPLE` are read: a median of
    ≥ 4·10⁶ entries is within ≈ 10⁻³ of the full one, and a stride takes the
    same share of every task's examples, so corrupted tasks hold the same
    share of the sample as of the data. The stride is coprime to d, so the
    sample visits every coordinate (a stride that divides d would read only
    some columns)."""
    total = sum(ds.X.size for ds in datasets)
    step = max(1, -(-total // _SCALE_SAMPLE))
    while math.gcd(step, datasets[0].dim) > 1:      # coprime to d: every coordinate
        step += 1
    v = np.concatenate([_strided(ds.X, step) for ds in datasets])
    return np.abs(v, out=v)


def _strided(X, step):
    """``X.reshape(-1)[::step]``, read by blocks of rows (X may be rows on
    disk, :mod:`robust_mlr._disk`): the same entries in the same order."""
    N, d = X.shape
    rows = max(_ROW_BLOCK, step)
    out = []
    for a in range(0, N, rows):
        first = (-a * d) % step                    # first sampled entry of the block
        # a copy: a strided view would keep its whole block alive
        out.append(np.asarray(X[a:a + rows]).reshape(-1)[first::step].copy())
    return np.concatenate(out) if out else np.empty(0)
