"""Cost operators of the Burer–Monteiro solver (private module): the cost
matrix D of the Peng–Wei program as a linear operator, dense or as the
low-rank distance of one split pair, and the solver's unit of cost
(:func:`~robust_mlr.stages.clustering.burer_monteiro.solve_peng_wei_bm`;
re-exported there).
"""

from __future__ import annotations

import numpy as np

from ...exceptions import ValidationError
from ..._validation import check_array, check_float

__all__ = ["DenseCost", "LowRankCost", "typical_cost"]

#: Off-diagonal pairs read by :func:`typical_cost` (all pairs when fewer).
_SCALE_PAIRS = 1 << 21
#: Pairs of a :class:`LowRankCost` evaluated at once by ``pairs``: its
#: gathered rows (chunk × k each) stay in cache. Chunks of 2¹⁶ (4 MB arrays
#: at k = 8) took 10 ms for the 79 800 pairs of n = 400, 2¹⁴ 1.8 ms; every
#: pair's value is the same at any chunk size.
_PAIR_CHUNK = 1 << 14


class DenseCost:
    """A dense symmetric cost matrix D as a linear operator.

    Parameters
    ----------
    D : ndarray (n, n)

    Examples
    --------
    >>> import numpy as np
    >>> DenseCost(np.ones((3, 3))).matmul(np.eye(3)).shape
    (3, 3)
    """

    def __init__(self, D):
        D = check_array(D, "D", ndim=2)
        if D.shape[0] != D.shape[1]:
            raise ValidationError(f"D must be square, got shape {D.shape}")
        self.D = (D + D.T) / 2
        self.n = D.shape[0]

    def matmul(self, Y, colsum=None):
        """D @ Y (``colsum`` is accepted for the interface and unused)."""
        return self.D @ Y

    def block(self, rows, cols):
        """The sub-matrix ``D[rows][:, cols]``."""
        return self.D[np.ix_(rows, cols)]

    def pairs(self, i, j):
        """The entries D_ij for index arrays ``i``, ``j``."""
        return self.D[i, j]

    def dense(self):
        """D as an n × n array."""
        return self.D

    def restrict(self, rows):
        """The cost of the sub-problem on tasks ``rows``."""
        return DenseCost(self.D[np.ix_(rows, rows)])


class LowRankCost:
    """D = a 1ᵀ + 1 aᵀ − P Qᵀ − Q Pᵀ, applied without forming it.

    With a_i = ⟨P_i, Q_i⟩ this is D_ij = (P_i − P_j)ᵀ(Q_i − Q_j), the
    unbiased distance estimate of one split pair; D Y costs O(n k r).

    Parameters
    ----------
    P, Q : ndarray (n, k)
    scale : float
        D is divided by ``scale`` (for unit-free tolerances).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> P, Q = rng.standard_normal((2, 5, 2))
    >>> op = LowRankCost(P, Q)
    >>> bool(np.allclose(op.matmul(np.eye(5)), op.dense()))
    True
    """

    def __init__(self, P, Q, scale=1.0):
        P = check_array(P, "P", ndim=2)
        Q = check_array(Q, "Q", ndim=2, shape=P.shape)
        scale = check_float(scale, "scale", min_val=0.0, include_min=False)
        s = 1.0 / np.sqrt(scale)
        self.P, self.Q = P * s, Q * s
        self.a = np.einsum("ij,ij->i", self.P, self.Q)
        self.n = P.shape[0]
        self._pair()

    def _pair(self):
        # P Qᵀ + Q Pᵀ = [P Q] [Q P]ᵀ: one GEMM pair instead of two
        self._left = np.hstack([self.P, self.Q])
        self._right = np.hstack([self.Q, self.P])

    def matmul(self, Y, colsum=None):
        """D @ Y in O(n k r) (``colsum``: Y's column sums, if already known)."""
        u = Y.sum(axis=0) if colsum is None else colsum
        out = self._left @ (self._right.T @ Y)
        # a uᵀ by broadcasting: the products of np.outer, without its
        # Python-level overhead (this runs once per solver evaluation)
        out -= self.a[:, None] * u
        out -= self.a @ Y
        return np.negative(out, out=out)

    def block(self, rows, cols):
        """The sub-matrix ``D[rows][:, cols]``, computed from the factors."""
        P, Q, a = self.P, self.Q, self.a
        return (a[rows, None] + a[None, cols] - P[rows] @ Q[cols].T - Q[rows] @ P[cols].T)

    def pairs(self, i, j):
        """The entries D_ij for index arrays ``i``, ``j`` (by chunks of pairs)."""
        out = np.empty(np.size(i))
        # rows gathered by ``take``: the same copies as fancy indexing, which
        # costs ~10× more on these narrow (k-column) rows
        P, Q, a_ = self.P, self.Q, self.a
        for s in range(0, out.size, _PAIR_CHUNK):
            a, b = i[s:s + _PAIR_CHUNK], j[s:s + _PAIR_CHUNK]
            out[s:s + _PAIR_CHUNK] = (a_.take(a) + a_.take(b)
                                      - np.einsum("ij,ij->i", P.take(a, axis=0), Q.take(b, axis=0))
                                      - np.einsum("ij,ij->i", Q.take(a, axis=0), P.take(b, axis=0)))
        return out

    def dense(self):
        """D as an n × n array (for checks on small n only)."""
        idx = np.arange(self.n)
        return self.block(idx, idx)

    def restrict(self, rows):
        """The cost of the sub-problem on tasks ``rows`` (still factored)."""
        out = LowRankCost.__new__(LowRankCost)
        out.P, out.Q, out.a, out.n = self.P[rows], self.Q[rows], self.a[rows], len(rows)
        out._pair()
        return out


def typical_cost(op, k):
    """The solver's unit of cost: median_{i≠j} |D_ij| / √k.

    For a constant cost D_ij = c and a start Z₀ of k equal blocks this is
    ‖D Y₀‖_F / (n ‖Y₀‖_F) = c/√k, the unit in which the penalty ``beta0``,
    the escape gate and the subproblem tolerances are set. A norm such as
    ‖D Y₀‖_F is set by its largest rows: a few groups of identical heavy
    tasks far from the rest (noise-free points, whose distances are all
    huge) raised it 60–180-fold on the default problem, which made the
    penalty and the escape gate as many times too large (stalled solves,
    merged clusters). A median moves by at most one order statistic per
    pair a corrupted task is in: ⌊αn⌋ tasks touch at most a fraction 2α of
    the pairs, so for α < 1/4 the unit stays between clean quantiles of
    |D_ij|. Every pair is read when there are at most :data:`_SCALE_PAIRS`,
    else the pairs (i, i + s mod n) for s = 1, 2, …: every task lies in the
    same number of them (no random draws), and the 2α bound holds as well.

    Parameters
    ----------
    op : DenseCost or LowRankCost
    k : int

    Returns
    -------
    float
        Positive: the median of |D_ij| if positive, else their mean, else 1.

    Examples
    --------
    >>> import numpy as np
    >>> D = np.ones((6, 6)) - np.eye(6)
    >>> D[0, 1:] = D[1:, 0] = 1e6              # one far task moves no median
    >>> float(typical_cost(DenseCost(D), 4))
    0.5
    """
    n = op.n
    if n * (n - 1) // 2 <= _SCALE_PAIRS:
        i, j = np.triu_indices(n, 1)
    else:
        shifts = np.arange(1, _SCALE_PAIRS // n + 1)
        i = np.tile(np.arange(n), shifts.size)
        j = (i + np.repeat(shifts, n)) % n
    vals = np.abs(op.pairs(i, j)) if i.size else np.zeros(0)
    vals = vals[np.isfinite(vals)]
    for value in (np.median(vals) if vals.size else 0.0, np.mean(vals) if vals.size else 0.0):
        if value > 0:
            return float(value / np.sqrt(k))
    return 1.0
