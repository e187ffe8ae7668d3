"""Likelihood EM on the heavy tasks' own examples, plain and trimmed.

Model, in a working basis U (d × q): every example of heavy task i follows

    y_ij = ⟨β_ℓ, Uᵀx_ij⟩ + ε_ij ,  ε_ij ~ N(0, σ_ℓ²) ,  ℓ = z_i ~ p ,

one latent component per task. EM maximises the mixture likelihood of all
the examples: the E-step is a log-sum-exp over components of each task's
summed log-likelihood, the M-step a weighted least squares per component
from the per-task sufficient statistics Z_iᵀZ_i, Z_iᵀy_i, y_iᵀy_i (Z = XU,
computed once), the ML noise variances and the weights (shared with
:class:`robust_mlr.baselines.EMLearner`). Unlike the assignment methods
(linkage, k-means, Peng–Wei), which are biased when single tasks cannot be
told apart (small t_H), EM is the maximum-likelihood estimator and stays
consistent as n_H grows at any t_H ≥ 1 — from a good enough start.

Starts (``init``):

* ``"moments"`` — the third-order moment estimator
  (:func:`~robust_mlr.stages.clustering.moment_clustering`, t_H ≥ 3): a
  consistent start, one run;
* ``"kmeans++"`` — ``n_init`` restarts, each k-means (one k-means++ seeding)
  on the projected task means Z_iᵀy_i / t_i followed by one M-step on the
  hard labels;
* ``"auto"`` (default) — both: the moment start when every task has
  t_i ≥ 3 (and the estimator runs) and the ``n_init`` k-means++ restarts.
  The moment start alone is not enough at small n_H: at k = 8, q = 8,
  t_H = 4, n_H = 2000 it lands ≈ 2 s from the truth and EM stays in
  that local maximum, while k-means++ restarts reach the same maximum as a
  start at the truth (measured; docs/clustering.md);
* a tuple (W, s², p) — one run from these parameters (W of shape (d, k) is
  expressed in the basis by least squares);
* a list of the above — every start of each entry (e.g. an estimate from
  elsewhere and ``n_init`` k-means++ restarts).

The run of largest final log-likelihood is kept, among those whose every
component holds more effective examples Σ_i γ_iℓ t_i than the q unknowns of
β_ℓ (a component on fewer can fit its examples exactly and drive its σ_ℓ² to
the floor: a degenerate maximum). Labels are the components of largest
posterior.

``em_robust`` makes every step resistant to a fraction α of arbitrary tasks:

* trimmed E- and M-steps: each E-step drops the m = ⌈αn⌉ tasks of lowest
  mixture log-likelihood per example from the next M-step (trimmed
  likelihood, Neykov et al. 2007): every kept task's log-likelihood is above
  the (m+1)-th lowest, so no kept task can pull a component far;
* bounded size influence: a task weighs min(t_i, c)/t_i of its
  responsibility, c the task-size cap of the screening stage (equal sizes: no
  change), so a fabricated huge task cannot outweigh ⌊αn⌋ ordinary ones;
* tasks whose squared values overflow double precision (finite but
  ~10¹⁶⁰ entries) are outliers from the start (plain EM refuses such data
  with a ValidationError), and so are noise-free tasks (one covariate
  vector repeated) and exact copies of another task
  (:func:`~._degenerate.degenerate_tasks`): a task of t_H < q examples is
  fitted exactly by some β, so a group of copies of it is a component
  whose σ² collapses to the floor — a likelihood no true component can
  match (d = 64, k = 8, t_H = 4: a group of 317 identical tasks, 1.6 % of
  the pool, became a component while two true ones merged);
* a robust start: ``moments_robust`` with the same α, or k-means after the
  ≤ ⌈2αn⌉ tasks whose projected mean is longer than 4× the median length
  are set aside;
* a component that holds no more tasks than the corrupted count can
  plausibly be (αn + 3√(αn) + 1, :func:`~robust_mlr.stages.screening.excess_limit`)
  could be fabricated whole — a tight fake cluster buys a large likelihood
  while two true components merge — so its tasks are set aside as outliers
  and the others are fitted again (once); this assumes 2α < min_ℓ p_ℓ (the
  adversary can also take ⌊αn⌋ tasks away from a true component). A
  component's size is the larger of its hard count (tasks of largest
  posterior) and its soft count Σ_i γ_iℓ: at t_H = 4 the hard count of a
  true component falls far below p_ℓ·n. Given light tasks of the same
  components (pool L2, more examples per task), a small component is kept
  when more light tasks are classified to it than ⌊αn_L⌋ plus the margin:
  a two-world attack on p in every pool (d = 64, k = 8, α = 0.05) left a
  true component 1 500 heavy tasks, of which 583 took its largest
  posterior; it was set aside and lost (max‖ŵ − w‖/s 1.4–1.5, no warning),
  while about 1 500 of the light-2 tasks still carried it;
* a final reweighting: trimming a clean task's tail biases σ_ℓ² low
  (RSS/σ² ~ χ²_4 trimmed at its 95 % quantile has mean 3.6, not 4: −10 % at
  α = 0.05, t_H = 4), so the tasks whose residual sum under their
  component is implausible (χ²_{t_i} upper tail below ``flag_level``) are
  declared outliers (label −1) and one M-step on all the others gives the
  returned estimates.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ..._dist import chi2
from ..._em_steps import log_terms, m_step, run_em, task_statistics
from ..._validation import check_alpha, check_array, check_float, check_int, check_rng
from ...data import MetaDataset
from ...exceptions import ConvergenceWarning, ValidationError
from ..classification import classify
from ..screening import excess_limit, size_cap
from ._degenerate import degenerate_tasks
from .base import ClusteringResult
from .tensor_estimator import moment_clustering, robust_moment_clustering
from .rounding import kmeans

__all__ = ["em_clustering", "robust_em_clustering"]

_INITS = ("auto", "moments", "kmeans++")


def _validated_start(data, U, k, init):
    """One start of ``init``: a name of :data:`_INITS` or (W, s², p), W
    expressed in the basis by least squares."""
    if isinstance(init, tuple) and len(init) == 3:
        W0 = check_array(init[0], "init W", ndim=2, shape=(data.dim, k))
        s20 = check_array(init[1], "init s2", ndim=1, shape=(k,))
        p0 = check_array(init[2], "init p", ndim=1, shape=(k,))
        if np.any(s20 < 0) or np.any(p0 < 0) or p0.sum() <= 0:
            raise ValidationError(f"init s2 and p must be nonnegative (p not all zero); got "
                                  f"s2={s20}, p={p0}")
        return (np.linalg.lstsq(U, W0, rcond=None)[0], s20, p0 / p0.sum())
    if not isinstance(init, str) or init not in _INITS:
        raise ValidationError(f"init must be one of {_INITS}, a (W, s2, p) tuple or a list "
                              f"of them, got {init!r:.80}")
    if init == "moments" and data.sizes.min() < 3:
        raise ValidationError(f"init='moments' needs every t_i >= 3; got a task with "
                              f"t_i={int(data.sizes.min())} (use init='kmeans++')")
    return init


def _validated(data, U, k, init, n_init, max_iter, tol, var_floor):
    if not isinstance(data, MetaDataset):
        raise ValidationError(f"data must be a robust_mlr.MetaDataset, got "
                              f"{type(data).__name__}")
    U = check_array(U, "U", ndim=2, shape=(data.dim, None))
    k = check_int(k, "k", min_val=1, max_val=data.n_tasks)
    if k > U.shape[1]:
        raise ValidationError(f"k={k} exceeds the basis dimension q={U.shape[1]} of U; "
                              f"need k <= q")
    init = ([_validated_start(data, U, k, one) for one in init] if isinstance(init, list)
            else _validated_start(data, U, k, init))
    return (U, k, init, check_int(n_init, "n_init", min_val=1),
            check_int(max_iter, "max_iter", min_val=1),
            check_float(tol, "tol", min_val=0.0),
            check_float(var_floor, "var_floor", min_val=0.0, include_min=False))


def _moment_start(data, U, k, rng, alpha):
    if alpha is None:
        res = moment_clustering(data, U, k, rng=rng)
    else:
        res = robust_moment_clustering(data, U, k, alpha=alpha, rng=rng)
    p = np.maximum(res.info["weights"], 1e-3 / k)
    return res.info["centres_projected"], res.info["noise"], p / p.sum()


def _kmeans_start(stats, Z, data, k, rng, floor, set_aside):
    """k-means on the projected task means, one M-step on the hard labels
    (tasks in ``set_aside`` take no part)."""
    V = data.task_sums(Z * data.y[:, None]) / stats.t[:, None]
    keep = np.flatnonzero(~set_aside)
    gamma = np.zeros((data.n_tasks, k))
    gamma[keep, kmeans(V[keep], k, rng, restarts=1)] = 1.0
    return m_step(stats, gamma, floor)[:3]


def _long_means(Z, data, alpha, factor=4.0):
    """≤ ⌈2αn⌉ tasks whose projected mean is longer than ``factor`` × the median."""
    V = data.task_sums(Z * data.y[:, None]) / data.sizes[:, None]
    r = np.linalg.norm(V, axis=1)
    over = np.flatnonzero(r > factor * np.median(r))
    over = over[np.argsort(r[over])[::-1][:int(np.ceil(2 * alpha * data.n_tasks))]]
    out = np.zeros(data.n_tasks, bool)
    out[over] = True
    return out


def _solve(data, U, k, opts, rng, alpha, flag_level):
    """Every start's run on ``data``, the best kept; robust: the reweighting.
    Returns (B, s2, p, L, outliers, best run, run summaries, fallback)."""
    init, n_init, max_iter, tol, var_floor = opts
    robust = alpha is not None
    n = data.n_tasks
    Z = data.X @ U
    stats = task_statistics(Z, data.y, data)
    floor = var_floor * float(np.median(data.task_sums(data.y ** 2) / stats.t))
    trim = int(np.ceil(alpha * n)) if robust else 0
    weights = None
    if robust:
        cap = size_cap(data.sizes)
        weights = np.minimum(stats.t, cap) / stats.t if stats.t.max() > cap else None
    starts, fallback = [], None
    for one in (init if isinstance(init, list) else [init]):
        if isinstance(one, tuple):
            starts.append(("given", (one[0], np.maximum(one[1], floor), one[2])))
        elif one in ("auto", "moments") and data.sizes.min() >= 3:
            try:
                starts.append(("moments", _moment_start(data, U, k, rng, alpha)))
            except ValidationError as exc:    # e.g. M2 of rank < k: say so, use k-means++
                if one == "moments":
                    raise
                fallback = str(exc)
        if one in ("auto", "kmeans++"):
            set_aside = _long_means(Z, data, alpha) if robust else np.zeros(n, bool)
            starts += [("kmeans++", _kmeans_start(stats, Z, data, k, rng, floor, set_aside))
                       for _ in range(n_init)]
    runs, best = [], None
    for name, start in starts:
        run = run_em(stats, start, max_iter=max_iter, tol=tol, floor=floor, trim=trim,
                     weights=weights)
        run.update(init=name, degenerate=bool(np.min(run["gamma"].T @ stats.t) <= stats.q))
        runs.append({"init": name, "log_likelihood": run["log_likelihood"],
                     "n_iter": run["n_iter"], "converged": run["converged"],
                     "degenerate": run["degenerate"]})
        if best is None or ((best["degenerate"], -best["log_likelihood"])
                            > (run["degenerate"], -run["log_likelihood"])):
            best = run
    if not robust:
        return (best["B"], best["s2"], best["p"], best["L"], np.zeros(n, bool), best, runs,
                fallback)
    return _reweight(stats, best, floor, weights, flag_level) + (best, runs, fallback)


def _overflowing(data):
    """Tasks whose Σ_j ‖x_ij‖² + y_ij² is not finite (their statistics overflow)."""
    with np.errstate(over="ignore", invalid="ignore"):
        mag = data.task_sums(np.einsum("ij,ij->i", data.X, data.X) + data.y ** 2)
    return ~np.isfinite(mag)


def _fit(data, U, k, init, n_init, max_iter, tol, var_floor, rng, alpha=None,
         flag_level=None, light=None):
    """Shared body of both variants (``alpha`` None: plain EM)."""
    started = time.perf_counter()
    U, k, *opts = _validated(data, U, k, init, n_init, max_iter, tol, var_floor)
    if light is not None and (not isinstance(light, MetaDataset) or light.dim != data.dim):
        raise ValidationError(f"light must be a robust_mlr.MetaDataset of dimension "
                              f"{data.dim}, got {getattr(light, 'dim', type(light).__name__)}")
    rng = check_rng(rng)
    n = data.n_tasks
    huge = _overflowing(data)
    degenerate = degenerate_tasks(data, alpha) if alpha is not None else huge
    if huge.any() and alpha is None:
        raise ValidationError(f"{int(huge.sum())} task(s) of data (first: task "
                              f"{int(np.argmax(huge))}) have squared values that overflow "
                              f"double precision; rescale the data or use em_robust")
    keep = np.flatnonzero(~(huge | degenerate))

    def solve(keep):
        sub = data if keep.size == n else data.subset(keep)
        budget = None if alpha is None else max(alpha - (n - keep.size) / n, 0.0)
        return _solve(sub, U, k, opts, rng, budget, flag_level)

    B, s2, p, L, outliers, best, runs, fallback = solve(keep)
    info = {}
    if alpha is not None:
        labels = np.argmax(L, axis=1)
        small = _component_sizes(L, outliers) <= excess_limit(alpha, n)
        if light is not None and small.any():
            # a second witness: light tasks of a true component are classified
            # sharply, and a fabricated one holds at most ⌊αn⌋ of them
            support = np.bincount(classify(light, U @ B, s2)[0], minlength=k)
            small &= support <= excess_limit(alpha, light.n_tasks)
            info["light_support"] = support
        small = np.flatnonzero(small)
        inside = ~np.isin(labels, small)
        info["distrusted_tasks"] = 0
        if small.size and alpha > 0 and inside.sum() > 2 * k:
            # a component no larger than the corrupted count may be fabricated
            # whole: its tasks are set aside and the others are fitted again
            info["distrusted_tasks"] = int(keep.size - inside.sum())
            keep = keep[inside]
            B, s2, p, L, outliers, best, more, fallback = solve(keep)
            runs = runs + more
        L_sub, out_sub = L, outliers
        L, outliers, trimmed = np.full((n, k), -np.inf), np.ones(n, bool), np.ones(n, bool)
        L[keep], outliers[keep], trimmed[keep] = L_sub, out_sub, ~best["kept"]
        info.update(trimmed=trimmed, overflowing_tasks=int(huge.sum()),
                    degenerate_tasks=int((degenerate & ~huge).sum()),
                    n_flagged=int(outliers.sum()))
    if not best["converged"]:
        warnings.warn(f"EM clustering reached max_iter={opts[2]} before the log-likelihood "
                      f"gain fell below tol={opts[3]:g} per example (n={n}, k={k})",
                      ConvergenceWarning, stacklevel=3)
    labels = np.argmax(L, axis=1)
    labels[outliers] = -1
    W = U @ B
    info.update(method="em (robust)" if alpha is not None else "em", init=best["init"],
                estimates=(W, s2, p), centres=W, centres_projected=B, noise=s2, weights=p,
                log_likelihood=best["log_likelihood"], log_likelihood_trace=best["trace"],
                n_iter=best["n_iter"], converged=best["converged"],
                degenerate=best["degenerate"], restarts=runs, init_fallback=fallback,
                time=time.perf_counter() - started)
    return ClusteringResult(labels, outliers, None, info)


def _component_sizes(L, outliers):
    """Tasks per component: the larger of the hard count (tasks of largest
    posterior) and the soft count Σ_i γ_iℓ, over the tasks not flagged.

    At small t_H one task's posterior is spread over close components, so
    the hard count of a true component falls far below p_ℓ·n while its soft
    count stays near it (d = 64, k = 8, t_H = 4: a true component of 1 500
    tasks — 2 500 less the ⌊αn⌋ = 1 000 a two-world attack on p moved away —
    took the largest posterior of 583, under the distrust limit of 1 096,
    and was set aside whole). A fabricated cluster is tight: both counts
    are its size.
    """
    norm = L[~outliers] - L[~outliers].max(axis=1, keepdims=True)
    gamma = np.exp(norm)
    soft = (gamma / gamma.sum(axis=1, keepdims=True)).sum(axis=0)
    hard = np.bincount(np.argmax(L[~outliers], axis=1), minlength=L.shape[1])
    return np.maximum(hard, soft)


def _reweight(stats, run, floor, weights, flag_level):
    """Outliers: tasks whose residual sum under their most likely component
    has χ²_{t_i} upper tail < ``flag_level``; then one M-step on the others."""
    L = run["L"]
    best = np.argmax(L, axis=1)
    rows = np.arange(L.shape[0])
    scaled = stats.rss(run["B"])[rows, best] / run["s2"][best]
    outliers = chi2.sf(scaled, stats.t) < flag_level
    norm = L - L.max(axis=1, keepdims=True)
    gamma = np.exp(norm) / np.exp(norm).sum(axis=1, keepdims=True)
    gamma *= (~outliers if weights is None else ~outliers * weights)[:, None]
    B, s2, p, rss = m_step(stats, gamma, floor)
    return B, s2, p, log_terms(stats, B, s2, p, rss), outliers


def em_clustering(data, U, k, *, init="auto", n_init=10, max_iter=500, tol=1e-8,
                  var_floor=1e-6, rng=None):
    """Heavy-task clustering by likelihood EM on the tasks' own examples.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks (any sizes t_i ≥ 1).
    U : ndarray (d, q)
        Working basis; the model is y_ij ~ N(⟨β_ℓ, Uᵀx_ij⟩, σ_ℓ²), k ≤ q.
    k : int
        Number of components.
    init : {"auto", "moments", "kmeans++"}, tuple (W, s2, p) or list of them
        Starts (module docstring): ``"auto"`` runs the moment start when
        every t_i ≥ 3 and ``n_init`` k-means++ restarts; a tuple runs once
        from the given (W (d, k), s² (k,), p (k,)); a list runs every
        start of each of its entries.
    n_init : int
        k-means++ restarts (``"auto"`` and ``"kmeans++"``).
    max_iter : int
        M-steps per run (ConvergenceWarning if the kept run reaches it).
    tol : float
        A run stops when its log-likelihood rises by less than ``tol`` per
        example.
    var_floor : float
        σ_ℓ² ≥ ``var_floor`` × the median over tasks of ‖y_i‖²/t_i.
    rng : None, int or Generator
        Moment decomposition and k-means++ seeds.

    Returns
    -------
    ClusteringResult
        ``labels``: the component of largest posterior. ``info``:
        ``"estimates"`` = (W̃ = Uβ (d, k), σ² (k,), p (k,)), the same as
        ``"centres"``, ``"noise"``, ``"weights"``; ``"centres_projected"`` β
        (q, k); ``"log_likelihood"`` (final, kept run) and
        ``"log_likelihood_trace"`` (before the first and after every M-step);
        ``"n_iter"`` (M-steps), ``"converged"``, ``"degenerate"``, ``"init"``
        (the kept run's start), ``"restarts"`` (one dict per run),
        ``"init_fallback"`` (why the moment start was not used, or None),
        ``"method"``, ``"time"``.

    Raises
    ------
    ValidationError
        A bad U, k outside [1, min(n, q)], an unknown ``init`` or a tuple
        of the wrong shapes,
        ``init="moments"`` with a task of t_i < 3, a non-positive
        ``var_floor``, an out-of-range option, or tasks whose squared
        values overflow double precision.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks, metrics
    >>> theta = make_params(6, 3, rng=0)
    >>> heavy = make_tasks(theta, 3000, 2, rng=1)          # t_H = 2: no moment start
    >>> res = em_clustering(heavy, np.linalg.qr(theta.W)[0], 3, n_init=3, rng=2)
    >>> res.info["init"], res.info["converged"]
    ('kmeans++', True)
    >>> W, s2, p = res.info["estimates"]
    >>> bool(metrics.parameter_errors(W, s2, p, theta)["w_err"] < 0.3)
    True
    """
    return _fit(data, U, k, init, n_init, max_iter, tol, var_floor, rng)


def robust_em_clustering(data, U, k, *, alpha=0.0, init="auto", n_init=10, max_iter=500,
                         tol=1e-8, var_floor=1e-6, flag_level=1e-3, light=None, rng=None):
    """:func:`em_clustering` with trimmed E- and M-steps under the budget α.

    Each M-step leaves out the ⌈αn⌉ tasks of lowest mixture log-likelihood
    per example, a task of more than the size cap c examples weighs c/t_i,
    the start is robust, and the returned estimates come from one M-step on
    the tasks whose residual sum is plausible (module docstring).

    Parameters
    ----------
    data, U, k, init, n_init, max_iter, tol, var_floor, rng
        As in :func:`em_clustering` (the trace and the convergence test are
        of the trimmed log-likelihood).
    alpha : float
        Corruption budget in [0, 0.5): fraction of heavy tasks the adversary
        may replace.
    flag_level : float
        A task whose residual sum under its most likely component has
        χ²_{t_i} upper-tail probability below ``flag_level`` is an outlier.
    light : MetaDataset, optional
        Light tasks of the same components (pool L2), a second witness: a
        component too small in ``data`` to be trusted is kept when more
        light tasks are classified to it than their corrupted count can
        plausibly be (module docstring).

    Returns
    -------
    ClusteringResult
        As :func:`em_clustering`; ``outliers`` (label −1) are the flagged
        tasks; ``info`` adds ``"trimmed"`` (the mask left out of the last
        trimmed M-step), ``"n_flagged"`` (outliers in all),
        ``"distrusted_tasks"`` (set aside with a component no larger than
        the corrupted count), ``"light_support"`` (light tasks per
        component, when ``light`` was consulted), ``"overflowing_tasks"`` and
        ``"degenerate_tasks"`` (noise-free tasks and copies, outliers from
        the start).

    Raises
    ------
    ValidationError
        As :func:`em_clustering` (except for overflowing tasks); ``alpha``
        outside [0, 0.5), ``flag_level`` outside (0, 1), or ``light`` not a
        MetaDataset of the same dimension.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks, metrics
    >>> theta = make_params(6, 3, rng=0)
    >>> heavy = make_tasks(theta, 3000, 4, rng=1)
    >>> heavy.y[:300] += 50.0                               # 75 tasks far off
    >>> res = robust_em_clustering(heavy, np.linalg.qr(theta.W)[0], 3, alpha=0.05, rng=2)
    >>> bool(res.outliers[:75].all()), res.info["n_flagged"] < 90
    (True, True)
    """
    alpha = check_alpha(alpha)
    flag_level = check_float(flag_level, "flag_level", min_val=0.0, max_val=1.0,
                             include_min=False, include_max=False)
    return _fit(data, U, k, init, n_init, max_iter, tol, var_floor, rng, alpha, flag_level,
                light)
