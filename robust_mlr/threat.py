"""The threat model: how many whole tasks an adversary may replace.

One :class:`ThreatModel` is made by :class:`~robust_mlr.MetaLearner` at
``fit`` and handed to every stage, so the budgets ⌊αn⌋, the limits on what a
stage may remove and the task-size caps are computed in one place. Under
replacement contamination (Kong, Somani, Kakade, Oh, NeurIPS 2020) the
adversary picks ⌊αn⌋ tasks of each pool and replaces them with arbitrary
data; which tasks and what data may depend on everything, including the
learner's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_alpha

__all__ = ["ThreatModel", "excess_limit", "size_cap"]


def excess_limit(alpha, n):
    """Most corrupted tasks ⌊αn⌋ can plausibly be, plus the Binomial margin:
    αn + 3√(αn) + 1 (a pool whose corrupted count is Binomial(n, α) exceeds
    it with probability < 0.2 %).

    Examples
    --------
    >>> excess_limit(0.05, 400)
    34
    >>> excess_limit(0.0, 400)
    1
    """
    m = alpha * n
    return int(np.floor(m + 3 * np.sqrt(m) + 1))


def size_cap(sizes):
    """Task-size cap: the largest c with c ≤ 2·mean_i min(t_i, c).

    A task of size t_i weighs min(t_i, c) in every size-weighted estimate,
    so any ⌊αn⌋ tasks hold at most αn·c ≤ 2α of the total capped weight,
    whatever sizes the adversary picks. The cap is at least the median size
    (half the tasks weigh it) and equals max t_i when sizes are equal (no
    capping, no loss of efficiency).

    Examples
    --------
    >>> size_cap(np.full(10, 8))
    8.0
    >>> size_cap(np.array([2] * 9 + [100]))
    2.0
    """
    sizes = np.asarray(sizes)
    if sizes.size == 0:
        return 1.0
    if np.issubdtype(sizes.dtype, np.integer) and sizes.min() >= 1 \
            and sizes.max() <= 4 * sizes.size + (1 << 16):
        return _size_cap_counts(sizes)
    t = np.sort(sizes.astype(float))
    cand = np.unique(t)
    # mean min(t, c) for every candidate c in one pass
    csum = np.concatenate([[0.0], np.cumsum(t)])
    below = np.searchsorted(t, cand, side="right")
    means = (csum[below] + cand * (t.size - below)) / t.size
    ok = cand <= 2 * means
    return float(cand[ok].max()) if ok.any() else float(t[0])


def _size_cap_counts(sizes):
    """:func:`size_cap` of integer sizes from their histogram (no sorted
    copy of n sizes): the sums of the sizes up to each candidate are exact
    integers, so every float is the sort-based one's."""
    h = np.bincount(sizes)
    cand = np.flatnonzero(h)
    below = np.cumsum(h[cand])                       # sizes ≤ each candidate
    csum = np.cumsum(cand * h[cand]).astype(float)   # their sum, exact
    n = sizes.size
    c = cand.astype(float)
    means = (csum + c * (n - below)) / n
    ok = c <= 2 * means
    return float(c[ok].max()) if ok.any() else float(c[0])


@dataclass(frozen=True)
class ThreatModel:
    """Replacement of an ``alpha`` fraction of the tasks of every pool.

    Parameters
    ----------
    alpha : float in [0, 0.5)
        Fraction of each pool's tasks the adversary may replace.

    Examples
    --------
    >>> threat = ThreatModel(0.05)
    >>> threat.budget(400), threat.limit(400)
    (20, 34)
    >>> ThreatModel(0.0).active
    False
    """

    alpha: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "alpha", check_alpha(self.alpha))

    @property
    def active(self):
        """True when the adversary may replace any task (α > 0)."""
        return self.alpha > 0

    def budget(self, n):
        """Tasks the adversary may replace in a pool of ``n``: ⌊αn⌋ (with a
        1e-9 guard, so 0.29 · 100 counts as 29 despite rounding)."""
        return int(np.floor(self.alpha * n + 1e-9))

    def limit(self, n):
        """Most tasks a stage may remove from ``n`` before the data look
        corrupted beyond α: :func:`excess_limit`."""
        return excess_limit(self.alpha, n)
