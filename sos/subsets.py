"""Vectorised index maps over subsets: the monomials of Boolean variables.

For Boolean variables (w_i² = w_i) a monomial is its support, a subset of
{0, …, n−1}. :class:`SubsetIndex` lists every subset of size ≤ D as an int64
bit mask (so n ≤ 62), in graded order (by size, then lexicographically by
the sorted members), and maps unions of subsets to positions in one
``searchsorted`` — the index arithmetic of moment and localising matrices
(y_{α∪β} for all pairs α, β at once) without Python loops over entries.
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np

from .exceptions import SosValidationError

__all__ = ["SubsetIndex"]

_MAX_VARS = 62


class SubsetIndex:
    """All subsets of {0, …, n−1} with at most ``max_size`` members.

    Parameters
    ----------
    n : int
        Number of Boolean variables, 1 ≤ n ≤ 62.
    max_size : int
        Largest subset size (the relaxation degree D for Boolean variables).

    Attributes
    ----------
    masks : ndarray of int64
        Bit mask of each subset, graded order (``masks[0] == 0``, the empty set).
    sizes : ndarray of int
        Number of members of each subset.

    Examples
    --------
    >>> S = SubsetIndex(3, 2)
    >>> len(S), S.masks.tolist()
    (7, [0, 1, 2, 4, 3, 5, 6])
    >>> int(S.union([1], [2])[0]) == S.position([0, 1])
    True
    """

    def __init__(self, n, max_size):
        n, max_size = int(n), int(max_size)
        if not 1 <= n <= _MAX_VARS:
            raise SosValidationError(f"n must be in [1, {_MAX_VARS}] for bit-mask subsets, got {n}")
        if max_size < 0:
            raise SosValidationError(f"max_size must be >= 0, got {max_size}")
        self.n, self.max_size = n, min(max_size, n)
        bits = np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))
        blocks = [np.zeros(1, dtype=np.int64)]
        for d in range(1, self.max_size + 1):
            combos = np.fromiter(itertools.chain.from_iterable(
                itertools.combinations(range(n), d)), dtype=np.int64, count=comb(n, d) * d)
            blocks.append(bits[combos.reshape(-1, d)].sum(axis=1))
        self.masks = np.concatenate(blocks)
        self.sizes = np.repeat(np.arange(self.max_size + 1),
                               [comb(n, d) for d in range(self.max_size + 1)])
        self._order = np.argsort(self.masks, kind="stable")
        self._sorted = self.masks[self._order]
        self._bits = bits

    def __len__(self):
        return self.masks.size

    def __repr__(self):
        return f"SubsetIndex(n={self.n}, max_size={self.max_size}, size={len(self)})"

    def up_to(self, d):
        """Positions of the subsets of size ≤ d (a prefix of the graded order)."""
        return np.arange(int(np.sum(self.sizes <= d)))

    def lookup(self, masks):
        """Positions of subsets given by bit masks (any shape); raises if a
        mask has more than ``max_size`` members."""
        masks = np.asarray(masks, dtype=np.int64)
        pos = np.searchsorted(self._sorted, masks)
        pos = np.minimum(pos, self._sorted.size - 1)
        bad = self._sorted[pos] != masks
        if bad.any():
            raise SosValidationError(f"a subset has more than {self.max_size} members "
                                     f"(mask {int(masks[bad].ravel()[0])})")
        return self._order[pos]

    def union(self, a, b):
        """Positions of a_r ∪ b_r for position arrays ``a``, ``b`` (broadcast)."""
        return self.lookup(np.bitwise_or(self.masks[np.asarray(a)], self.masks[np.asarray(b)]))

    def position(self, members):
        """Position of the subset with the given members."""
        members = np.unique(np.asarray(members, dtype=np.int64))
        return int(self.lookup(self._bits[members].sum() if members.size else 0))
