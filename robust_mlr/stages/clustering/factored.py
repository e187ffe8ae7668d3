"""(Robust) Peng–Wei clustering of heavy tasks through the Burer–Monteiro solver.

The path :func:`~robust_mlr.stages.clustering.sdp_cluster` takes for
``relaxation="peng_wei"`` / ``"peng_wei_robust"`` with ``solver="BM"`` (the
default). Memory is O(n_H k) whenever one split pair is used (L = 1, the
default for t_H < 256): the distance of the split pair is kept as its factors
(:class:`LowRankCost`), the SDP as its factor Y (n × r), the rounding works on
Y, and the robust re-admission reads D in row blocks of at most
``BLOCK_ENTRIES`` entries computed from the factors. With L > 1 the entrywise
median over splits has no low-rank form, and the dense n × n median is formed
(the method is then pairwise by nature).

Scaling: D is divided by the median off-diagonal |D_ij| (exact over all pairs
up to ``_EXACT_PAIRS`` pairs, else over that many random pairs), as the SCS
path does; the dense path also clips at ±100 medians, as the SCS path does,
while the factored path cannot clip (a clipped matrix is no longer low rank).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from sos.exceptions import SolverInaccurateWarning

from ..._params import unknown_option
from ..._validation import check_int
from ...constants import BM_STARTS, INLIER_MASS, MAD_TO_SIGMA, READMIT_MADS, SDP_DISTANCE_CAP
from ...exceptions import SolverFailedError, ValidationError
from ..screening import excess_limit
from .base import ClusteringResult
from .burer_monteiro import DenseCost, LowRankCost, solve_peng_wei_bm
from .linkage import choose_splits, default_splits, distance_matrix, projected_chunks
from .rounding import ROUNDINGS, kmeans

__all__ = ["bm_cluster", "assign_blocked", "far_tasks", "BLOCK_ENTRIES", "DENSE_ROUNDING_MAX",
           "FAR_RATIO", "NOISY_TAIL"]

#: Largest block of D (entries) formed at once by the re-admission step.
BLOCK_ENTRIES = 1 << 22
#: Pairs used for the median scale (all of them when there are fewer).
_EXACT_PAIRS = 1 << 21
#: Largest n for roundings that need the dense Z ("mode", "linkage").
DENSE_ROUNDING_MAX = 5000


def _cost(data, U, L, rng, B):
    """The normalised cost operator, the split pairs L and the split noise's
    tail ratio (None unless L was chosen here; ``B``: the two split-half
    projected means, computed once by the caller)."""
    n = data.n_tasks
    ratio = None
    if L is None:
        L, ratio = choose_splits(data, U, return_ratio=True)
        if L > default_splits(int(data.sizes.min())) and n > DENSE_ROUNDING_MAX:
            # heavy split tails ask for a median of splits, whose cost is a
            # dense n × n matrix: beyond this size the low-rank cost is kept
            L = default_splits(int(data.sizes.min()))
    else:
        L = check_int(L, "L", min_val=1)
    if L == 1:
        op = LowRankCost(B[0], B[1])
        scale = _median_scale(op, n, rng)
        return LowRankCost(B[0], B[1], scale=scale), L, ratio
    op = DenseCost(distance_matrix(data, U, L))
    scale = _median_scale(op, n, rng)
    return DenseCost(np.clip(op.D / scale, -SDP_DISTANCE_CAP, SDP_DISTANCE_CAP)), L, ratio


def _median_scale(op, n, rng):
    """Median |D_ij| over off-diagonal pairs (all, or a random sample)."""
    if n * (n - 1) // 2 <= _EXACT_PAIRS:
        i, j = np.triu_indices(n, 1)
    else:
        i, j = rng.integers(n, size=(2, _EXACT_PAIRS))
        keep = i != j
        i, j = i[keep], j[keep]
    vals = op.pairs(i, j)
    med = float(np.median(np.abs(vals))) if vals.size else 0.0
    return med if med > 0 else 1.0


def _round(Y, k, points, rng, inliers, rounding):
    """Labels of the inlier rows from the factor Y (spectral) or dense Z."""
    idx = np.flatnonzero(inliers)
    if rounding == "spectral":
        # top-k eigenpairs of Z = Y Yᵀ are Y's left singular pairs (s²)
        Ul, s, _ = np.linalg.svd(Y[idx], full_matrices=False)
        return idx, kmeans(Ul[:, :k] * s[:k], k, rng)
    if Y.shape[0] > DENSE_ROUNDING_MAX:
        raise ValidationError(f"rounding={rounding!r} needs the dense n × n matrix Z; "
                              f"n_H={Y.shape[0]} > {DENSE_ROUNDING_MAX}: use 'spectral'")
    return ROUNDINGS[rounding](Y @ Y.T, k, points, rng, inliers)


def _block_medians(op, rows, cols):
    """Median over ``cols`` of D[i, cols] for every i in ``rows``, by row blocks."""
    out = np.empty(rows.size)
    step = max(1, BLOCK_ENTRIES // max(cols.size, 1))
    for s in range(0, rows.size, step):
        out[s:s + step] = np.median(op.block(rows[s:s + step], cols), axis=1)
    return out


def assign_blocked(labels, op, k, which, robust=True):
    """Assign tasks ``which`` to the cluster whose members are closest (median
    of D), with ``robust`` only within 4 robust standard deviations (MAD) of
    the members' own medians — the rule of the SCS path, with D read in row
    blocks of at most :data:`BLOCK_ENTRIES` entries.

    Parameters
    ----------
    labels : ndarray of int (n,)
        Current labels, −1 for unassigned.
    op : DenseCost or LowRankCost
    k : int
    which : ndarray of int
        Tasks to (re-)assign.
    robust : bool

    Returns
    -------
    labels : ndarray of int (n,)
        A copy with ``which`` assigned (or −1).
    """
    labels = labels.copy()
    members = [np.flatnonzero(labels == c) for c in range(k)]
    if which.size == 0 or any(m.size < 2 for m in members):
        return labels
    limit = np.inf
    if robust:
        own = np.concatenate([_block_medians(op, m, m) for m in members])
        limit = np.median(own) + READMIT_MADS * MAD_TO_SIGMA * np.median(np.abs(own - np.median(own)))
    med = np.column_stack([_block_medians(op, which, m) for m in members])
    best = np.argmin(med, axis=1)
    ok = med[np.arange(which.size), best] <= limit
    labels[which] = np.where(ok, best, -1)
    return labels


#: the options ``solver_opts`` may pass to :func:`solve_peng_wei_bm` (the others are set here)
_SOLVER_OPTIONS = ("rank", "tol", "max_outer", "max_inner", "dual_max", "beta0", "max_escapes",
                   "curvature_tol", "escape_settle", "diag_cap", "n_starts")


def bm_cluster(data, U, k, *, robust, alpha, L, rounding, readmit, max_sdp, rng,
               solver_opts=None):
    """(Robust) Peng–Wei clustering by the Burer–Monteiro solver.

    Parameters and return value as :func:`~robust_mlr.stages.clustering.sdp_cluster`
    (``relaxation`` is ``"peng_wei_robust"`` when ``robust``); ``solver_opts``
    are passed to :func:`solve_peng_wei_bm` (``rank``, ``tol``, ``max_outer``,
    ``max_inner``, ``dual_max``, ``beta0``, ``max_escapes``, ``curvature_tol``,
    ``escape_settle``),
    except ``n_starts`` (default 3).
    The k-means labels of the projected task means warm-start the factor; a
    solve that stops short of the tolerance is retried from fresh k-means
    starts, at most ``n_starts`` in all, keeping the feasible one of lowest
    objective (see :func:`_best_of_starts`).

    Returns
    -------
    ClusteringResult
        ``objective`` is ⟨D̄, Z⟩ on the normalised cost; ``info["solver"]``
        holds the status, primal and KKT residuals, dual bound and gap.

    Raises
    ------
    SolverFailedError
        From :func:`solve_peng_wei_bm`.

    Examples
    --------
    >>> import numpy as np
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> heavy = make_tasks(theta, 40, 64, rng=1)
    >>> res = bm_cluster(heavy, np.linalg.qr(theta.W)[0], 2, robust=False, alpha=0.0,
    ...                  L=None, rounding="spectral", readmit=True, max_sdp=None,
    ...                  rng=np.random.default_rng(0))
    >>> res.labels.shape, res.info["solver"]["status"]
    ((40,), 'optimal')
    """
    t0 = time.perf_counter()
    n = data.n_tasks
    B = projected_chunks(data, U, 2, stage="clustering")    # the one projection on U
    op, L, ratio = _cost(data, U, L, rng, B)
    points = B.mean(axis=0)                                  # (n, k)
    sub = np.arange(n)
    if max_sdp is not None and n > max_sdp:
        sub = np.sort(rng.choice(n, size=check_int(max_sdp, "max_sdp", min_val=2 * k),
                                 replace=False))
    sop = op if sub.size == n else op.restrict(sub)
    build = time.perf_counter() - t0
    opts = dict(solver_opts or {})
    for key in opts:
        if key not in _SOLVER_OPTIONS:
            raise unknown_option("solver_opts of the Burer–Monteiro solver", key,
                                 _SOLVER_OPTIONS)
    given = list(opts)
    try:
        n_starts = check_int(opts.pop("n_starts", BM_STARTS), "n_starts", min_val=1)
        res = _best_of_starts(sop, k, points[sub], rng, n_starts, robust=robust, alpha=alpha,
                              **opts)
    except ValidationError as exc:      # a value of solver_opts: say where it is set
        if not any(str(exc).startswith(f"{key} ") for key in given):
            raise
        raise ValidationError(f"solver_opts of the Burer–Monteiro solver: {exc}") from None
    mass = res.row_mass()
    inl_sub = mass >= INLIER_MASS if robust else np.ones(sub.size, bool)
    idx, lab = _round(res.Y, k, points[sub], rng, inl_sub, rounding)
    labels = np.full(n, -1)
    labels[sub[idx]] = lab
    if robust and readmit:
        labels[sub] = assign_blocked(labels[sub], sop, k, np.flatnonzero(labels[sub] < 0))
    if sub.size < n:
        labels = assign_blocked(labels, op, k, np.setdiff1d(np.arange(n), sub), robust)
    solver = {"solver": "BM", "status": res.status, "primal_residual": res.primal_residual,
              "kkt_residual": res.kkt_residual, "dual_bound": res.dual_bound, "gap": res.gap,
              **{key: res.info[key] for key in ("rank", "outer_iterations", "inner_iterations",
                                                 "escapes", "curvature", "time")}}
    info = {"method": "peng_wei_robust" if robust else "peng_wei", "n": n, "k": k, "L": L,
            "split_tail_ratio": ratio,
            "cost": "low-rank" if isinstance(op, LowRankCost) else "dense",
            "build_time": build, "solver": solver, "rounding": rounding, "mass": mass,
            "sdp_tasks": int(sub.size), "time": time.perf_counter() - t0}
    return ClusteringResult(labels, labels < 0, res.objective, info)


#: Tasks against which :func:`far_tasks` measures every task's outlyingness.
_REFERENCE_TASKS = 2048
#: A task is far when its outlyingness exceeds this multiple of the median
#: outlyingness (and the MAD limit of re-admission). Clean heavy tasks of the
#: default problem reach 1.7–2.1× over three draws; groups of identical
#: tasks that stalled the solver or took clusters sat at 36–60×, while copies
#: placed within 3‖w‖ of the components (≤ 1.7×) moved no estimate.
FAR_RATIO = 4.0
#: The distance rule is off when the (1 − 2α) quantile of the outlyingness
#: (0.9 at most) exceeds this many medians: the tasks are then too noisy to
#: be told from far ones by their distances (t_H = 4, d = 64, k = 8: 6.3–7.2
#: medians, and 1 100–1 200 clean tasks of 20 000 beyond the limits, which
#: set aside ⌊αn⌋ clean tasks whenever the count fell within the margin;
#: the default problem: 1.3). ⌊αn⌋ tasks move that quantile by at most
#: the clean gap between the (1 − 3α) and (1 − α) quantiles.
NOISY_TAIL = 3.0


def far_tasks(op, alpha, suspect=None):
    """Tasks so far from the bulk that no cluster should be spent on them.

    A task's outlyingness o_i is its median D_ij over a reference set (all
    tasks, or every ⌈n/2048⌉-th; D the distance estimate, so it is the
    squared distance from task i to a typical task). Far tasks are those with
    o_i above both :data:`FAR_RATIO` × median o and the re-admission limit
    (median + 4 robust standard deviations of o), at most the ⌊αn⌋
    farthest; when more tasks than the corrupted count can plausibly be
    (:func:`~robust_mlr.stages.screening.excess_limit`) are beyond these
    limits they cannot all be corrupted (a true component lies there) and
    none is far.

    The median moves by at most one order statistic per corrupted reference
    task, so ⌊αn⌋ tasks cannot make a clean task far. Tasks too noisy to
    be told apart by their distances (:data:`NOISY_TAIL`) have no far tasks
    but the suspects. k-means on the task
    means, and every clustering that gives each task a cluster, otherwise
    spend clusters on far tasks: a few groups of identical heavy tasks
    (noise-free points, D = 0 within a group) far from the rest became k − 1
    clusters of 5–7 tasks each and the 360 clean tasks one, a warm start
    from which the robust Burer–Monteiro solve stalled short of feasibility
    (up to 70 s) or ended with true components merged; the other methods
    gave such a group a cluster of its own and left a component with no
    light task (an error downstream).

    Tasks already known to be corrupted (``suspect``: noise-free tasks and
    exact copies, see :func:`~._degenerate.degenerate_tasks`) are set aside
    first, wherever they lie — a group of copies near the bulk is a cluster
    at no cost in spread, and two such groups of five tasks among 380 made
    the robust solve run 60 augmented-Lagrangian updates from each of three
    starts (0.9 s → 28 s) — and the rest of the budget goes to the farthest
    tasks beyond the limits.

    Parameters
    ----------
    op : DenseCost or LowRankCost
    alpha : float
    suspect : ndarray of bool (n,), optional
        Tasks known to be corrupted (at most ⌊αn⌋ are taken).

    Returns
    -------
    ndarray of bool (n,)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.r_[np.arange(40) % 4, 50.0, 50.0]           # two copies, far away
    >>> np.flatnonzero(far_tasks(DenseCost((x[:, None] - x[None]) ** 2), 0.05)).tolist()
    [40, 41]
    """
    n = op.n
    m = int(np.floor(alpha * n))
    far = np.zeros(n, bool)
    if m == 0:
        return far
    suspect = far if suspect is None else np.asarray(suspect, bool)
    ref = np.arange(0, n, -(-n // _REFERENCE_TASKS))
    ref = ref[~suspect[ref]] if (~suspect[ref]).any() else ref
    out = _block_medians(op, np.arange(n), ref)
    med = float(np.median(out[~suspect])) if (~suspect).any() else float(np.median(out))
    spread = float(np.median(np.abs(out[~suspect] - med))) if (~suspect).any() else 0.0
    limit = max(med + READMIT_MADS * MAD_TO_SIGMA * spread, FAR_RATIO * med)
    beyond = (out > limit) & ~suspect
    clean = out[~suspect] if (~suspect).any() else out
    tail = float(np.quantile(clean, min(max(1.0 - 2.0 * alpha, 0.5), 0.9)))
    if beyond.sum() > excess_limit(alpha, n) or tail > NOISY_TAIL * med:
        beyond[:] = False
    # suspects first (by outlyingness), then the farthest beyond the limits
    order = np.lexsort((-out, ~suspect))
    pick = order[:min(m, int(suspect.sum() + beyond.sum()))]
    far[pick] = True
    return far & (suspect | beyond)


def _best_of_starts(op, k, points, rng, n_starts, **kwargs):
    """Solve from k-means warm starts until one solve is feasible (primal
    residual ≤ 10 tol), at most ``n_starts``; return the feasible solve of
    lowest SDP objective, or the least infeasible one.

    The factored problem is non-convex: a stationary point can shed the wrong
    rows (measured: an in-span shifted fake cluster left the robust solve at
    objective 82 with primal residual 2e-3, where three other starts reached
    0.29 and the true clustering). Such a point is infeasible, so only then
    is the solve repeated; a feasible first solve (optimal, or inaccurate
    only in its KKT residual) costs nothing more and consumes the generator
    exactly as a single solve. The choice among starts
    is by objective, not status: a solve whose escape steps lowered the
    objective but left the KKT residual above tolerance (measured at
    n_H = 2000: −15.909, "inaccurate") is a better SDP point than an
    "optimal" stationary one (−15.905). Only the kept solve's inaccuracy
    warning is shown.

    A start whose solve fails (:class:`SolverFailedError`: non-finite
    iterates, or constraints still violated by more than 1e-2) is not an
    answer but no reason to stop either: the next start is tried — for the
    robust variant with the far tasks (:func:`far_tasks`) left unlabelled,
    i.e. shed, since k-means spends clusters on them (measured: groups of
    identical far tasks made every k-means start fail) — and the failures
    are reported in a :class:`SolverInaccurateWarning` when another start
    succeeds. Only when every start fails is the error raised, naming the
    solver, the problem size and each start's failure.
    """
    feas = 10 * kwargs.get("tol", 1e-5)

    def key(res):
        return (res.primal_residual <= feas, -res.objective if res.primal_residual <= feas
                else -res.primal_residual)
    best, best_caught, failed = None, [], []
    far = None
    for tried in range(1, n_starts + 1):
        if failed and far is None:
            far = far_tasks(op, kwargs.get("alpha", 0.0)) if kwargs.get("robust") else \
                np.zeros(op.n, bool)
        if far is None or not far.any():
            init = kmeans(points, k, rng)
        else:                       # after a failure: far tasks start shed
            init = np.full(op.n, -1)
            init[~far] = kmeans(points[~far], k, rng)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SolverInaccurateWarning)
            try:
                res = solve_peng_wei_bm(op, k, init_labels=init, rng=rng, **kwargs)
            except SolverFailedError as exc:
                failed.append(str(exc))
                continue
        if best is None or key(res) > key(best):
            best, best_caught = res, caught
        if res.status == "optimal" or res.primal_residual <= feas:
            break                   # feasible: only a wrong-rows stationary point is retried
    if best is None:
        raise SolverFailedError(f"Burer–Monteiro solver (n={op.n}, k={k}): all {len(failed)} "
                                f"warm starts failed: " + "; ".join(failed))
    for w in best_caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if failed:
        warnings.warn(f"Burer–Monteiro solver (n={op.n}, k={k}): {len(failed)} of "
                      f"{tried} warm starts failed ({failed[0]}); kept "
                      f"the best of the others", SolverInaccurateWarning, stacklevel=3)
    return best
