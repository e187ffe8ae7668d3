"""Higher-moment (method-of-moments) estimator for heavy tasks.

Instead of clustering tasks pairwise, which needs every task's statistic to
be accurate on its own (t_H large), the estimator pools all heavy tasks into
unbiased moment tensors of the projected statistics (see
:mod:`.tensor_moments`), M2 ≈ Σ_a p_a μ_a μ_aᵀ and M3 ≈ Σ_a p_a μ_a^{⊗3},
μ_a = Uᵀ w_a, and decomposes them (:mod:`.tensor_decomposition`). Any t_H ≥ 3
works; a small t_H is paid for with more tasks n_H.

After the decomposition:

* optional refinement: ``refine_steps`` EM steps of an isotropic Gaussian
  mixture on the task means ``m_i = S_i / G_i`` (variance ``σ_a² / t_i``);
* noise levels: with ``ρ_a² = E[y²|a]``, the cross moment over distinct
  examples ``E[y_j² · y_l Uᵀx_l] = Σ_a p_a ρ_a² μ_a`` is solved for ρ_a² and
  ``r_a² = ρ_a² − ‖μ_a‖²`` is the residual variance of y − xᵀUμ_a (for
  w_a ∈ span U), floored at a tenth of the pooled residual variance;
* every task is assigned to the component of largest Gaussian likelihood of
  its examples (as in light-task classification).

``moments_robust`` first removes the tasks whose RMS group statistic
``r_i = (Σ_g ‖b_i^(g)‖² / G_i)^{1/2}`` exceeds ``norm_factor`` (default 4)
times its median — at most ⌈2αn⌉ of them, largest first; clean tasks exceed
4× the median with frequency ~1e-4 (t_H = 4, k = 8), so the trimming bias is
negligible while no kept task can weigh more than (4·median)³ in M3. A
norm bounds a task's size, not its direction, so a directional filter
follows in the space of per-task moments (:mod:`._moment_filter`): tasks
coherent along one direction (a spike inside the norm trim) are removed
while they raise the variance along it far above its trimmed variance —
the removals in all at most ⌈2αn⌉. The flagged tasks are returned as
outliers. When the moments cannot be decomposed into k supported centres
(an M2 without a positive k-th eigenvalue, or a weight below α/2: a
subspace that misses a centre's direction) ``info["supported"]`` is False
(the :class:`~robust_mlr.stages.clustering.TensorMoments` stage then
returns robust likelihood EM's estimates instead). Optionally the mean over the kept
tasks is replaced by the geometric median of ``n_blocks`` block means in the
flattened (M2, M3) space (median of means); it needs more than 2⌈αn⌉ blocks
to be robust, and blocks of a few tasks have skewed means, so it is off by
default (see docs/moments.md for the measured cost).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ..._validation import check_alpha, check_array, check_float, check_int, check_rng
from ..classification import classify
from ...exceptions import CorruptionWarning, ValidationError
from .base import ClusteringResult
from .tensor_moments import group_statistics, moment_tensors
from .tensor_decomposition import decompose_moments
from ._moment_filter import filter_directions, task_moments

__all__ = ["moment_clustering", "robust_moment_clustering", "geometric_median"]


def geometric_median(points, n_iter=200, tol=1e-10):
    """Weiszfeld's iteration for the geometric median of the rows of ``points``.

    Examples
    --------
    >>> import numpy as np
    >>> geometric_median(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [50.0, 50.0]])).round(3)
    array([0.5, 0.5])
    """
    x = np.median(points, axis=0)
    for _ in range(n_iter):
        dist = np.maximum(np.linalg.norm(points - x, axis=1), 1e-12)
        w = 1.0 / dist
        x_new = (w @ points) / w.sum()
        if np.linalg.norm(x_new - x) <= tol * (1.0 + np.linalg.norm(x)):
            return x_new
        x = x_new
    return x


def _noise_levels(data, U, centres, weights, keep):
    """r_a² from the cross moment E[y_j² y_l Uᵀx_l], j ≠ l, over the kept tasks
    (see module docstring)."""
    Z = data.y[:, None] * (data.X @ U)
    y2 = data.task_sums(data.y ** 2)
    cross = y2[:, None] * data.task_sums(Z) - data.task_sums(data.y[:, None] ** 2 * Z)
    t = data.sizes.astype(float)
    v = np.mean((cross / (t * (t - 1))[:, None])[keep], axis=0)
    ey2 = float(np.mean((y2 / t)[keep]))
    pooled = max(ey2 - float(weights @ np.sum(centres ** 2, axis=0)), 1e-3 * ey2)
    prho, *_ = np.linalg.lstsq(centres, v, rcond=None)
    r2 = prho / np.maximum(weights, 1e-12) - np.sum(centres ** 2, axis=0)
    return np.maximum(r2, 0.1 * pooled), pooled


def _norm_outliers(Z, offsets, factor, max_out):
    """Tasks whose RMS group norm exceeds ``factor`` × median (≤ max_out, largest)."""
    r = np.sqrt(np.add.reduceat(np.einsum("ij,ij->i", Z, Z), offsets[:-1]) / np.diff(offsets))
    over = np.flatnonzero(r > factor * np.median(r))
    over = over[np.argsort(r[over])[::-1][:max_out]]
    out = np.zeros(r.size, bool)
    out[over] = True
    return out


def _em_refine(m, t, centres, weights, sigma2, steps):
    """EM for m_i ~ Σ_a p_a N(μ_a, σ_a²/t_i I) (isotropic), ``steps`` iterations."""
    k = centres.shape[1]
    mu, p, s2 = centres.copy(), weights / weights.sum(), np.full(k, sigma2)
    for _ in range(steps):
        d2 = np.sum(m ** 2, 1)[:, None] - 2 * m @ mu + np.sum(mu ** 2, 0)[None, :]
        logl = np.log(p) - 0.5 * t[:, None] * d2 / s2 - 0.5 * m.shape[1] * np.log(s2 / t[:, None])
        logl -= logl.max(axis=1, keepdims=True)
        R = np.exp(logl)
        R /= R.sum(axis=1, keepdims=True)
        Rt = R * t[:, None]
        mu = (m.T @ Rt) / Rt.sum(axis=0)
        d2 = np.sum(m ** 2, 1)[:, None] - 2 * m @ mu + np.sum(mu ** 2, 0)[None, :]
        s2 = np.maximum(np.einsum("ia,ia->a", Rt, d2) / (m.shape[1] * R.sum(axis=0)), 1e-12)
        p = R.mean(axis=0)
    return mu, p


#: Ridge added to M2, in units of its top eigenvalue, when the robust
#: estimator's M2 has no positive k-th eigenvalue.
_RIDGE = 1e-2


def _decompose(M2, M3, k, rng, robust, data_size=""):
    """:func:`decompose_moments` with normalised weights; robust: an M2 whose
    k-th eigenvalue is not positive is ridged instead of refused.

    A corrupted subspace can miss a centre's direction altogether (a light1
    direction swap at d = 64, k = 8 made every robust fit raise here): the
    heavy tasks then carry no second moment along one direction of U. With
    M2 + (max(0, −λ_k) + 10⁻² λ₁) I, whose k-th eigenvalue is 10⁻² λ₁ or
    more, the other k − 1 centres are still found and the k-th is whatever
    M3 says in the missing direction; a :class:`CorruptionWarning` says so.
    """
    try:
        centres, weights, info = decompose_moments(M2, M3, k, rng)
    except ValidationError:
        if not robust:
            raise
        lam = np.linalg.eigvalsh((M2 + M2.T) / 2)[::-1]
        ridge = max(-float(lam[k - 1]), 0.0) + _RIDGE * max(float(lam[0]), 1e-300)
        centres, weights, info = decompose_moments(M2 + ridge * np.eye(M2.shape[0]), M3, k,
                                                   rng)
        info["ridged"] = ridge
        warnings.warn(f"moments_robust: the heavy tasks' second moment in the subspace has "
                      f"no positive eigenvalue number k={k} (a centre's direction is missing "
                      f"from the subspace — corrupted light tasks — or too few heavy "
                      f"examples resolve it: {data_size}); whitened a ridged moment",
                      CorruptionWarning, stacklevel=4)
    weights = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(k, 1.0 / k)
    return centres, weights, info


def _fit(data, U, k, rng, n_groups, refine_steps, blocks, n_blocks, started, trim=None):
    U = check_array(U, "U", ndim=2, shape=(data.dim, None))
    k = check_int(k, "k", min_val=1)
    if k > U.shape[1] or k > data.dim:
        raise ValidationError(f"k={k} exceeds the subspace dimension {U.shape[1]} "
                              f"(d={data.dim}); need k <= d")
    refine_steps = check_int(refine_steps, "refine_steps", min_val=0)
    Z, offsets = group_statistics(data, U, n_groups)
    outliers = np.zeros(data.n_tasks, bool)
    filtered = 0
    if trim is not None:
        outliers = _norm_outliers(Z, offsets, *trim[:2])
        before = int(outliers.sum())
        outliers, _ = filter_directions(task_moments(Z, offsets), outliers, trim[2],
                                        trim[1])
        filtered = int(outliers.sum()) - before
    weights_in = (~outliers).astype(float)
    M2b, M3b, _ = moment_tensors(Z, offsets, blocks, n_blocks, weights_in)
    if n_blocks == 1:
        M2, M3 = M2b[0], M3b[0]
    else:
        kk = U.shape[1]
        flat = geometric_median(np.hstack([M2b.reshape(n_blocks, -1),
                                           M3b.reshape(n_blocks, -1)]))
        M2, M3 = flat[:kk * kk].reshape(kk, kk), flat[kk * kk:].reshape(kk, kk, kk)
    centres, weights, info = _decompose(M2, M3, k, rng, robust=trim is not None,
                                        data_size=f"n_H={data.n_tasks} tasks of median "
                                                  f"t={int(np.median(data.sizes))}")
    info["supported"] = trim is None or ("ridged" not in info
                                         and weights.min() >= trim[2] / 2)
    G = np.diff(offsets).astype(float)
    means = np.add.reduceat(Z, offsets[:-1], axis=0) / G[:, None]
    if refine_steps:
        sigma2 = float(np.mean(np.sum(Z ** 2, 1)) / Z.shape[1])
        keep = ~outliers
        centres, weights = _em_refine(means[keep], G[keep], centres, weights, sigma2,
                                      refine_steps)
    r2, pooled = _noise_levels(data, U, centres, weights, ~outliers)
    W = U @ centres
    labels, _ = classify(data, W, r2)
    labels[outliers] = -1
    info.update(method="moments" if trim is None else "moments (robust)",
                centres=W, centres_projected=centres, weights=weights, noise=r2,
                pooled_noise=pooled, n_blocks=n_blocks, estimates=(W, r2, weights),
                direction_filtered=filtered,
                time=time.perf_counter() - started)
    return ClusteringResult(labels, outliers, None, info)


def moment_clustering(data, U, k, rng=None, n_groups=None, refine_steps=0):
    """Centres, weights and noise levels of the heavy tasks by third-order moments.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks, every one with t_H ≥ 3 examples.
    U : ndarray (d, k')
        Subspace basis (k' ≥ k orthonormal columns).
    k : int
        Number of components.
    rng : None, int or Generator
        Random contractions and starts of the decomposition.
    n_groups : int, optional
        Disjoint groups per task; None (default) uses every example as a group.
    refine_steps : int
        EM steps on the task means after the decomposition (default 0).

    Returns
    -------
    ClusteringResult
        ``labels`` by largest likelihood; ``info["estimates"] = (W̃, r̃², p̃)``
        with W̃ = U·centres (d, k); ``info["centres"]``, ``["weights"]``,
        ``["noise"]``, M2 eigenvalues ``["eigvals"]``.

    Raises
    ------
    ValidationError
        t_H < 3 (or < ``n_groups``), k > d, or M2 of rank < k.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(6, 2, rng=0)
    >>> heavy = make_tasks(theta, 20000, 4, rng=1)
    >>> res = moment_clustering(heavy, theta.W / np.linalg.norm(theta.W, axis=0), 2, rng=2)
    >>> res.info["centres"].shape, res.labels.shape
    ((6, 2), (20000,))
    """
    return _fit(data, U, k, check_rng(rng), n_groups, refine_steps, None, 1,
                time.perf_counter())


def robust_moment_clustering(data, U, k, alpha=0.0, rng=None, n_groups=None,
                             refine_steps=0, norm_factor=4.0, n_blocks=1):
    """:func:`moment_clustering` after removing large-norm tasks, optionally
    with a median of block means.

    Tasks with RMS group statistic above ``norm_factor`` × its median are
    removed (at most ⌈2αn⌉, largest first), then tasks coherent along one
    direction of the per-task moment space (the same budget in all), and
    flagged as outliers; ``info["supported"]`` says whether the moments
    gave k supported centres (module docstring). With
    ``n_blocks`` = B > 1 the kept tasks are dealt at random into B blocks and
    the moments are the geometric median of the block means (robust only
    for B > 2⌈αn⌉).

    Parameters
    ----------
    data, U, k, rng, n_groups, refine_steps
        As in :func:`moment_clustering`.
    alpha : float
        Corruption budget: fraction of heavy tasks the adversary may replace.
    norm_factor : float
        Trimming threshold in units of the median RMS group norm (> 1).
    n_blocks : int
        B for the median of means (1: plain mean over the kept tasks).

    Returns
    -------
    ClusteringResult
        ``outliers`` marks the removed tasks (label −1).

    Raises
    ------
    ValidationError
        As :func:`moment_clustering`; ``n_blocks`` outside [1, n_H]; a
        ``norm_factor`` ≤ 1.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(6, 2, rng=0)
    >>> heavy = make_tasks(theta, 20000, 4, rng=1)
    >>> heavy.y[:400] *= 100                       # ~100 tasks with huge responses
    >>> res = robust_moment_clustering(heavy, np.linalg.qr(theta.W)[0], 2, alpha=0.01, rng=2)
    >>> bool(res.outliers[:100].all()), int(res.outliers.sum())
    (True, 200)
    """
    started = time.perf_counter()
    alpha = check_alpha(alpha)
    rng = check_rng(rng)
    factor = check_float(norm_factor, "norm_factor", min_val=1.0, include_min=False)
    n = data.n_tasks
    n_blocks = check_int(n_blocks, "n_blocks", min_val=1, max_val=n)
    blocks = rng.permutation(n) % n_blocks if n_blocks > 1 else None
    return _fit(data, U, k, rng, n_groups, refine_steps, blocks, n_blocks, started,
                trim=(factor, int(np.ceil(2 * alpha * n)), alpha))
