"""Covariates with an unknown second moment Σ_x: estimation and whitening.

The moment-based stages (the subspace moments, the clustering distances,
the robust filters' statistics) assume E[x xᵀ] = I: then E[y x] = w for a
task of parameter w. For a general law with second moment Σ_x = E[x xᵀ]
(positive definite, the same for every task, independent of the task's
component and of the noise), E[y x] = Σ_x w, and the subspace stage would
return Σ_x span(W) instead of span(W). Whitening restores the assumption
exactly at the level of first and second moments:

    x' = Σ_x^{-1/2} x ,   w' = Σ_x^{1/2} w ,   so  x'ᵀ w' = xᵀ w ,

leaving every response, noise level s² and mixing weight unchanged. The
learner is run on the whitened pools and the estimates are mapped back,
W = Σ̂^{-1/2} W' (U is re-orthonormalised from Σ̂^{-1/2} U'). Predictions
need no mapping: the likelihood of the raw support under W equals that of
the whitened support under W'. Higher moments of a non-Gaussian x are not
corrected (the robust statistics' fourth-moment terms); docs/data.md states
which laws were checked.

Σ_x is estimated from the covariates of *all* pools (the responses are not
needed). With ``alpha > 0`` whole tasks may be corrupted, covariates
included, so the estimate is a trimmed second moment over tasks: starting
from the plain moment, every task is scored by its mean whitened squared
norm q_i = (1/t_i) Σ_j ‖Σ̂^{-1/2} x_ij‖² (≈ d for a clean task) and, in each
pool, the tasks of a tail of the scores (q or −log q) that holds more
tasks than the law fitted on the scores' bulk puts there are left out of
the next estimate, at most ⌈2αn⌉ (:func:`robust_mlr._covariance_trim.trim_mask`;
the math and what corrupted tasks can do to Σ̂ are in docs/data.md); five
rounds. A fixed trim of the ⌈2αn⌉ most extreme tasks lost directions of
clean laws whose energy sits in a few examples (Chebyshev features). On pools of more than
:data:`ROUNDS_SAMPLE_PER_DIM`·d examples (with a generator given) the
rounds but the last run on a random share of the tasks, the same share of
every pool, and the last round scores and re-estimates on all of them:
three passes over the data instead of twelve, with the trimmed set of the
whole pools (on clean data the share's Σ̂, from ≥ 8 192·d examples, is
within 2–4 % of the last round's in every direction, up to 25 % along the
weakest directions of ill-conditioned laws). The share is drawn from the
seed alone, so an adversary who knows the seed can write its tasks into
it (⌊αn⌋ tasks are then several times α of the share, beyond what the
rounds trim) and the one round on every task, started from a Σ̂ it
steered, does not recover; so the last round's Σ̂ is checked against the
share's, and when they differ by more than :data:`SHARE_AGREEMENT` in
some direction the remaining rounds run on every task (the full
estimate's cost). A corrupted task that inflates the
moment in some direction raises its own q_i and is trimmed; one that
deflates it can bias Σ̂ by O(α) only. Finite covariates so large that their
squares overflow (|x| ≳ 1e154) would make the plain starting moment
infinite, so tasks with an entry beyond :data:`EXTREME` times the median
example's largest entry are left out before any sum is formed (no clean
law puts a covariate a million typical sizes out; the estimate on data
without such tasks is unchanged), and whitening scales a row before
multiplying it whenever the product would overflow.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from ._covariance_trim import trim_mask
from ._disk import DiskTasks
from ._linalg import safe_product
from ._segments import task_blocks
from ._validation import check_alpha, check_int, check_rng
from ._advice import not_pools
from .data import MetaDataset, Pools
from .exceptions import ValidationError

__all__ = ["Whitening", "estimate_second_moment", "fit_whitened", "isotropy_test", "COVARIATES",
           "ROUNDS_SAMPLE_PER_DIM", "SHARE_AGREEMENT"]

COVARIATES = ("auto", "isotropic", "estimate")

#: Smallest condition number of Σ̂ that ``covariates="auto"`` whitens (the
#: sampling fluctuation of an isotropic Σ̂ sets a larger limit on small pools).
AUTO_CONDITION = 1.5
#: Multiple of √(d/N) allowed to each extreme eigenvalue of an isotropic Σ̂
#: (Marchenko–Pastur: ±2√(d/N) for Gaussian rows; heavier-tailed rows spread more).
AUTO_MARGIN = 4.0
#: A task whose largest |covariate| exceeds this many times the median
#: example's largest |covariate| is left out of the trimmed Σ̂ before its
#: squares are formed (they could overflow).
EXTREME = 1e6
#: Examples per dimension above which the trimmed Σ̂'s rounds but the last
#: run on a random share of the tasks of about this many examples (given a
#: generator): the rounds only steer which tasks the last one trims.
ROUNDS_SAMPLE_PER_DIM = 8192
#: Largest |eigenvalue − 1| of S^{-1/2} Σ̂ S^{-1/2} (S the share's trimmed
#: Σ̂, Σ̂ the last round's on every task) at which the share's rounds
#: stand; beyond it the remaining rounds run on every task.
SHARE_AGREEMENT = 0.3
def estimate_second_moment(datasets, alpha=0.0, n_rounds=5, rng=None):
    """Estimate Σ_x = E[x xᵀ] from the covariates of several meta-datasets.

    Parameters
    ----------
    datasets : MetaDataset, Pools or sequence of MetaDataset
        All covariates are used (a Pools contributes its three pools).
    alpha : float
        Fraction of corrupted tasks per pool; 0 gives the plain example
        average (1/N) Σ x xᵀ, > 0 the trimmed estimate of the module notes
        (on clean data of the generator's laws it trims no task).
    n_rounds : int
        Trimming rounds when alpha > 0.
    rng : None, int or Generator, optional
        Draws the share of tasks the first ``n_rounds − 1`` rounds read when
        the pools hold more than :data:`ROUNDS_SAMPLE_PER_DIM`·d examples;
        ``None`` (the default) reads every task in every round.

    Returns
    -------
    Sigma : ndarray (d, d)
    kept : ndarray of bool (n_total,)
        Tasks (pools concatenated in order) used by the final estimate.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> data = make_tasks(make_params(3, 1, rng=0), 4000, 5, x_dist="correlated", rng=1)
    >>> Sigma, _ = estimate_second_moment(data)
    >>> bool(abs(Sigma[0, 1] - 0.8) < 0.03)
    True
    """
    if isinstance(datasets, Pools):
        datasets = [datasets[name] for name in Pools.names]
    elif isinstance(datasets, MetaDataset):
        datasets = [datasets]
    datasets = list(datasets)
    alpha = check_alpha(alpha)
    n_rounds = check_int(n_rounds, "n_rounds", min_val=1)
    t = np.concatenate([ds.sizes for ds in datasets])
    if alpha == 0:
        return _moment(datasets, None) / int(t.sum()), np.ones(t.size, bool)
    share = None if rng is None or n_rounds == 1 else _rounds_sample(datasets, check_rng(rng))
    extreme = _extreme_tasks(datasets)
    if share is not None:
        start = estimate_second_moment(share, alpha, n_rounds - 1)[0]
        Sigma, kept = _trim_round(datasets, t, start, extreme, alpha)
        if _share_agrees(start, Sigma):
            return Sigma, kept
        n_rounds -= 1        # the share steered the rounds: the rest on every task
    else:
        Sigma = _moment(datasets, ~extreme if extreme.any() else None) / int(t[~extreme].sum())
    for _ in range(n_rounds):
        Sigma, kept = _trim_round(datasets, t, Sigma, extreme, alpha)
    return Sigma, kept


def _rounds_sample(datasets, rng):
    """The same random share of every pool's tasks (as meta-datasets, rows
    on disk read in) when the pools hold more than
    :data:`ROUNDS_SAMPLE_PER_DIM`·d examples, else ``None``. Draws one
    ``rng.choice`` per pool, in order."""
    total = sum(ds.n_examples for ds in datasets)
    cap = ROUNDS_SAMPLE_PER_DIM * datasets[0].dim
    if total <= cap:
        return None
    share = cap / total
    return [ds.subset(np.sort(rng.choice(ds.n_tasks, min(max(int(np.ceil(share * ds.n_tasks)), 1),
                                                         ds.n_tasks), replace=False)))
            for ds in datasets]


def _share_agrees(start, Sigma):
    """Whether the last round's Σ̂ is within :data:`SHARE_AGREEMENT` of the
    share's Σ̂ ``start`` in every direction (|eigenvalue − 1| of
    start^{-1/2} Σ̂ start^{-1/2}, start's eigenvalues floored at 1e-12 of
    its largest). Tasks written into the share steer ``start`` by several
    times their weight in the pools, and the last round's Σ̂ by their
    weight: the two part."""
    vals, Q = np.linalg.eigh((start + start.T) / 2)
    root = Q / np.sqrt(np.maximum(vals, 1e-12 * max(float(vals[-1]), 1e-300)))
    gap = np.linalg.eigvalsh(root.T @ ((Sigma + Sigma.T) / 2) @ root) - 1
    return bool(np.all(np.abs(gap) <= SHARE_AGREEMENT))


def _trim_round(datasets, t, Sigma, extreme, alpha):
    """One round: score every task under Σ̂, trim its excess (:func:`trim_mask`), re-estimate."""
    inv = np.linalg.pinv(Sigma, hermitian=True)
    with np.errstate(over="ignore", invalid="ignore"):    # extreme tasks: trimmed below
        q = np.concatenate([_task_norms(ds, inv) for ds in datasets]) / t
    kept = trim_mask(q, [ds.n_tasks for ds in datasets], extreme, alpha)
    return _moment(datasets, kept) / int(t[kept].sum()), kept


def _passes(ds):
    """Task-aligned row blocks ``(a, e, X_block)`` of a pool (read through
    ``_block``: a pool on disk, :mod:`robust_mlr._disk`, is never read whole)."""
    off = ds.offsets
    for a, e in task_blocks(off, 8 * ds.dim):
        yield a, e, ds._block(off[a], off[e])[0]


def _moment(datasets, kept):
    """Σ x xᵀ over the examples of all (or the ``kept``) tasks, by blocks."""
    d = datasets[0].dim
    S, base = np.zeros((d, d)), 0
    for ds in datasets:
        for a, e, Xb in _passes(ds):
            if kept is None:
                S += Xb.T @ Xb
            else:
                w = np.repeat(kept[base + a:base + e],
                              ds.offsets[a + 1:e + 1] - ds.offsets[a:e]).astype(float)
                S += (Xb * w[:, None]).T @ Xb
        base += ds.n_tasks
    return S


def _task_norms(ds, inv):
    """Σ_j x_ijᵀ inv x_ij per task, by blocks."""
    out = np.empty(ds.n_tasks)
    off = ds.offsets
    for a, e, Xb in _passes(ds):
        out[a:e] = np.add.reduceat(np.einsum("ij,ij->i", Xb @ inv, Xb), off[a:e] - off[a])
    return out


def _extreme_tasks(datasets):
    """Mask of the tasks (over all ``datasets``) with an entry beyond
    :data:`EXTREME` times the median task's largest |entry| — computed
    without squaring, so it cannot overflow, in one blocked pass."""
    peaks = []
    for ds in datasets:
        out, off = np.zeros(ds.n_tasks), ds.offsets
        for a, e, Xb in _passes(ds):
            if Xb.size:
                out[a:e] = np.maximum.reduceat(np.abs(Xb).max(axis=1), off[a:e] - off[a])
        peaks.append(out)
    peak = np.concatenate(peaks)
    typical = float(np.median(peak)) if peak.size else 0.0
    if not typical > 0:                            # over half the tasks are zero
        positive = peak[peak > 0]
        typical = float(np.median(positive)) if positive.size else 0.0
    if not typical > 0:
        return np.zeros(peak.size, bool)
    return peak > EXTREME * typical


def isotropy_test(Sigma, n_examples):
    """Whether an estimated second moment is that of isotropic covariates
    (a multiple of I, which the moment stages need; the scale does not
    matter).

    Σ̂ is isotropic when its condition number is at most
    max(:data:`AUTO_CONDITION`, ((1 + c√(d/N))/(1 − c√(d/N)))²), c =
    :data:`AUTO_MARGIN`: the extreme eigenvalues of N isotropic rows' second
    moment lie within (1 ± 2√(d/N))² of the truth (Marchenko–Pastur), and
    c = 4 leaves room for heavy-tailed rows (Student-t(5): the fourth moment
    is three times the Gaussian one). With c√(d/N) ≥ ½ the sample says
    little and only a condition number above 9 counts.

    Returns
    -------
    isotropic : bool
    info : dict
        ``condition`` and ``limit``.

    Examples
    --------
    >>> import numpy as np
    >>> isotropy_test(np.eye(8), 10_000)[0], isotropy_test(np.diag([1.0] * 7 + [3.0]), 10_000)[0]
    (True, False)
    """
    vals = np.linalg.eigvalsh((Sigma + Sigma.T) / 2)
    d = vals.size
    cond = float(vals[-1] / vals[0]) if vals[0] > 0 else float("inf")
    r = min(AUTO_MARGIN * np.sqrt(d / max(n_examples, 1)), 0.5)
    limit = max(AUTO_CONDITION, ((1 + r) / (1 - r)) ** 2)
    return bool(cond <= limit), {"condition": cond, "limit": float(limit)}


@dataclass
class Whitening:
    """The map x ↦ Σ̂^{-1/2} x and its inverse on parameters.

    Attributes
    ----------
    Sigma : ndarray (d, d)
        Estimated second moment of the covariates.
    root, inv_root : ndarray (d, d)
        Σ̂^{1/2} and Σ̂^{-1/2} (symmetric).
    info : dict
        ``kept`` mask of the trimmed estimate and the condition number.

    Examples
    --------
    >>> import numpy as np
    >>> wh = Whitening.from_moment(np.diag([4.0, 1.0]))
    >>> wh.inv_root.diagonal().tolist(), wh.info["condition"]
    ([0.5, 1.0], 4.0)
    """

    Sigma: np.ndarray
    root: np.ndarray
    inv_root: np.ndarray
    info: dict = field(default_factory=dict)

    @classmethod
    def from_moment(cls, Sigma, **info):
        """Symmetric square roots of a positive definite Σ̂.

        Raises
        ------
        ValidationError
            If Σ̂ is singular (a constant or duplicated feature).
        """
        vals, Q = np.linalg.eigh((Sigma + Sigma.T) / 2)
        null = vals <= 1e-10 * max(vals[-1], 1e-300)
        if null[0]:
            raise _singular_features(Sigma, Q[:, null], vals)
        return cls(Sigma, (Q * np.sqrt(vals)) @ Q.T, (Q / np.sqrt(vals)) @ Q.T,
                   dict(info, condition=float(vals[-1] / vals[0])))

    def whiten(self, data):
        """The meta-dataset with covariates x ↦ Σ̂^{-1/2} x (a row whose
        product would overflow is scaled by its largest entry first and the
        result clipped to the largest finite float: extreme rows stay
        extreme and finite, for the screen to remove)."""
        if isinstance(data, DiskTasks):        # rows on disk: whitened as they are read
            return data.transformed(self.inv_root)
        return MetaDataset._trusted(safe_product(data.X, self.inv_root), data.y, data.offsets,
                                    data.components)

    def whiten_pools(self, pools):
        """All three pools whitened (masks kept)."""
        return Pools(*(self.whiten(pools[name]) for name in Pools.names), masks=dict(pools.masks))

    def to_original(self, W):
        """Parameters of the whitened problem mapped back: Σ̂^{-1/2} W."""
        return self.inv_root @ W

    def basis_to_original(self, U):
        """Orthonormal basis of Σ̂^{-1/2} span(U)."""
        return np.linalg.qr(self.inv_root @ U)[0]


def _singular_features(Sigma, null, vals):
    """The error for a singular second moment Σ̂: it names the features
    (columns of X, from 0) that are zero on every row and those in a linear
    dependence (the features the null space ``null`` of Σ̂ touches), and
    carries them as ``zero`` and ``dependent`` (lists of column indices) so
    a caller that knows the columns' names can name them
    (``_describe_singular``)."""
    touched = np.linalg.norm(null, axis=1) > 1e-6
    zero = touched & (np.diag(Sigma) <= 1e-10 * max(vals[-1], 1e-300))
    err = ValidationError(
        f"the covariates' second moment is singular (eigenvalues {vals[0]:.3g} .. "
        f"{vals[-1]:.3g}): " + _describe_singular(np.flatnonzero(zero),
                                                 np.flatnonzero(touched & ~zero),
                                                 "feature", "(columns of X, from 0)"))
    err.zero = [int(j) for j in np.flatnonzero(zero)]
    err.dependent = [int(j) for j in np.flatnonzero(touched & ~zero)]
    return err


def _named(items, noun, where=""):
    """``feature 1 (where) is`` / ``features 2, 3 (where) are``."""
    items = [str(i) for i in items]
    where = f" {where}" if where else ""
    return f"{noun} {items[0]}{where} is" if len(items) == 1 else \
        f"{noun}s {', '.join(items)}{where} are"


def _describe_singular(zero, dependent, noun, where=""):
    """``feature 1 is zero on every row ...; features 2, 3 are linearly
    dependent ...: remove ...`` for the given labels."""
    parts = []
    if len(zero):
        parts.append(f"{_named(zero, noun, where)} zero on every row: remove "
                     f"{'it' if len(zero) == 1 else 'them'}")
    if len(dependent):
        parts.append(f"{_named(dependent, noun, where)} linearly dependent (e.g. one a copy "
                     f"or a multiple of another): remove one of them")
    return "; ".join(parts)


def fit_whitened(learner, pools):
    """Fit ``learner`` (a MetaLearner with ``covariates="estimate"``) on the
    whitened pools and map its estimates back; returns ``learner``.

    Σ̂ comes from the covariates of all three pools, trimmed when the
    learner's ``alpha`` is positive. Sets ``covariance_`` (the
    :class:`Whitening`) on the learner; ``W_``, ``W_tilde_`` and ``U_`` are in
    the original coordinates; noise levels, weights and labels are unchanged.

    Examples
    --------
    >>> from robust_mlr import MetaLearner, make_params, make_pools
    >>> theta = make_params(6, 2, rng=0)
    >>> pools = make_pools(theta, 4000, 2, 60, 64, 2000, 8, x_dist="correlated", rng=1)
    >>> model = fit_whitened(MetaLearner(2, clustering="linkage", rng=2), pools)
    >>> model.W_.shape, round(float(model.covariance_.Sigma[0, 1]), 1)
    ((6, 2), 0.8)
    """
    if not isinstance(pools, Pools):
        raise not_pools(pools)
    alpha = check_alpha(learner.alpha)
    Sigma, kept = estimate_second_moment(pools, alpha)
    wh = Whitening.from_moment(Sigma, kept=kept)
    inner = copy.copy(learner)
    inner.covariates = "isotropic"
    inner.fit(wh.whiten_pools(pools))
    for name, value in vars(inner).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(learner, name, value)
    learner.W_ = wh.to_original(inner.W_)
    learner.W_tilde_ = wh.to_original(inner.W_tilde_)
    learner.U_ = wh.basis_to_original(inner.U_)
    learner.covariance_ = wh
    return learner


def check_covariates(value):
    """The ``covariates`` option: one of :data:`COVARIATES`."""
    if value not in COVARIATES:
        raise ValidationError(f"covariates must be one of {COVARIATES}, got {value!r}")
    return value
