"""SDP / SoS relaxations for clustering heavy tasks (Kong, Somani, Kakade, Oh, NeurIPS 2020; Peng and Wei 2007).

All methods work in the k-dimensional projected space and share
:class:`~robust_mlr.stages.clustering.ClusteringResult`. With D the median-of-splits
unbiased distance matrix (rescaled to unit noise), the relaxations are

* ``peng_wei``: min ⟨D, Z⟩ s.t. Z ⪰ 0, Z ≥ 0, Z 1 = 1, tr Z = k;
* ``peng_wei_robust``: the same with Z 1 ≤ 1, 1ᵀZ1 ≥ n − ⌊αn⌋ and
  diag Z ≤ 1/(⌊αn⌋ + 1): up to ⌊αn⌋ rows may shed their mass (rows of mass
  < 1/2 are flagged as outliers), and no cluster may be as small as the
  budget. The mass bound is the budget in whole tasks: (1 − α) n, when not
  an integer, forces one row to a fractional mass, a flat direction of the
  Burer–Monteiro factorisation that stalled its augmented Lagrangian;
* ``sos_m4`` / ``sos_m6`` (Peng–Wei — robust when α > 0 — plus m-th moment
  constraints): for
  every row i the form
      v ↦ β·(Σ_j Z_ij)·‖v‖^m − Σ_j Z_ij T_ij(v)
  is a sum of squares (Gram matrix over degree-m/2 monomials, from
  :mod:`sos`), where T_ij are the unbiased split-product forms. It says that
  the tasks row i puts mass on have SoS-certifiably bounded m-th moments around
  task i — the Kothari–Steinhardt–Steurer condition with the cluster
  indicator relaxed to a row of Z. ``moment_rows="aggregate"`` sums the rows
  into one certificate (cheaper, weaker).

Rounding (``rounding=``): ``"spectral"``, ``"mode"`` (Mixon–Villar–Ward) or
``"linkage"`` on rows of Z. Baseline ``kmeans`` clusters the projected task
means directly. These are SoS-*inspired* relaxations: degree 2 in the
cluster indicators with degree-m certificates in v, not the degree-O(m)
pseudo-distributions of the KSS / Hopkins–Li theorems (see
:func:`pseudo_distribution_clustering` for that, on tiny instances).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from sos import MonomialBasis, gram_map, sphere_form
import sos

from .rounding import ROUNDINGS
from .split_moments import group_estimates, noise_scale, pair_forms, row_form_map
from ..._validation import check_alpha, check_float, check_int, check_rng
from ...constants import INLIER_MASS, SDP_DISTANCE_CAP
from .base import ClusteringResult
from .burer_monteiro import DenseCost
from .factored import assign_blocked, bm_cluster
from .linkage import distance_matrix
from ...exceptions import SolverFailedError, ValidationError

__all__ = ["peng_wei_problem", "add_moment_constraints", "sdp_cluster"]


def peng_wei_problem(D, k, alpha=0.0, robust=False):
    """The (robust) Peng–Wei SDP: returns ``(Z, objective, constraints)``.

    The robust variant also bounds diag Z ≤ 1/(⌊αn⌋ + 1) (hence every entry,
    as Z ⪰ 0): a cluster must have more tasks than the adversary's budget.
    Without it an outlier is a free singleton cluster (Z_ii = 1 costs nothing)
    that uses up one of the k traces, and a fake cluster of ⌊αn⌋ tasks is as
    cheap as a real one.
    """
    import cvxpy as cp      # loaded where a relaxation is built
    n = D.shape[0]
    Z = cp.Variable((n, n), PSD=True)
    rows = cp.sum(Z, axis=1)
    cons = [Z >= 0, cp.trace(Z) == k]
    if robust:
        cons += [rows <= 1, cp.sum(rows) >= n - np.floor(alpha * n),
                 cp.diag(Z) <= 1.0 / max(int(np.floor(alpha * n)) + 1, 2)]
    else:
        cons += [rows == 1]
    return Z, cp.Minimize(cp.sum(cp.multiply(D, Z))), cons


def add_moment_constraints(Z, b, m, bound, per_row=True):
    """m-th moment SoS constraints on the rows of Z (see module docstring).

    Parameters
    ----------
    Z : cvxpy Variable (n, n)
    b : ndarray (G, n, k)
        Group estimates in noise units; G >= m.
    m : int
        4 or 6.
    bound : float
        β, the certified moment bound per unit of row mass.
    per_row : bool
        One Gram certificate per row (True) or one for the sum of rows.

    Returns
    -------
    constraints : list
    sizes : dict
        Gram size, number of Gram blocks, equality rows, non-zeros of the map.
    """
    import cvxpy as cp      # loaded where a relaxation is built
    G_, n, k = b.shape
    iu = np.triu_indices(n, 1)
    coef = pair_forms(b, m, iu)                                 # (n_pairs, N)
    N = coef.shape[1]
    Agram, _ = gram_map(MonomialBasis(k, m // 2))
    s_side = int(round(np.sqrt(Agram.shape[1])))
    q = sphere_form(k, m)
    if per_row:
        A = row_form_map(coef, iu, n)                           # (n N, n²)
        S = cp.reshape(A @ cp.vec(Z, order="C"), (n, N), order="C")
        rows = cp.reshape(cp.sum(Z, axis=1), (n, 1), order="C")
        C = bound * (rows @ q[None, :]) - S                     # (n, N) row forms
        grams = [cp.Variable((s_side, s_side), PSD=True) for _ in range(n)]
        Gv = cp.vstack([cp.vec(g, order="C") for g in grams])   # (n, s²)
        cons = [Gv @ Agram.T == C]
    else:
        # Σ_i Σ_j Z_ij T_ij = Σ_{i<j} 2 Z_ij T_ij: one (N × n²) map, half the non-zeros
        cols = np.repeat(iu[0] * n + iu[1], N)
        A = sp.csr_matrix((2 * coef.ravel(), (np.tile(np.arange(N), iu[0].size), cols)),
                          shape=(N, n * n))
        g = cp.Variable((s_side, s_side), PSD=True)
        C = bound * cp.sum(Z) * q - A @ cp.vec(Z, order="C")
        cons = [Agram @ cp.vec(g, order="C") == C]
    sizes = {"gram_size": s_side, "gram_blocks": n if per_row else 1,
             "moment_equalities": (n if per_row else 1) * N, "map_nnz": int(A.nnz)}
    return cons, sizes


def _normalise(D, cap=SDP_DISTANCE_CAP):
    """D divided by the median off-diagonal |D| and clipped at ±cap.

    Dividing by max|D| would let one corrupted task with huge responses shrink
    every clean distance below the solver's tolerance; clipping leaves large
    distances large, which is all the SDP needs of them.
    """
    off = np.abs(D[~np.eye(D.shape[0], dtype=bool)])
    scale = np.median(off) if off.size and np.median(off) > 0 else 1.0
    return np.clip(D / scale, -cap, cap)


def _auto_bound(b, D, k, m, rng, quantile=0.9, factor=1.5):
    """Calibrate β from the data: certify the row forms of the uniform rows
    over each task's n/k nearest neighbours under D (a stand-in for its
    cluster) and take ``factor`` × their ``quantile``-quantile. The random
    directions come from the caller's Generator ``rng``."""
    from sos.forms import form_values
    n = D.shape[0]
    size = max(n // k, 2)
    nn = np.argsort(D, axis=1)[:, 1:size]
    # evaluate each row form on many random unit vectors: a cheap lower
    # estimate of its maximum, enough to set the scale of β
    V = rng.standard_normal((400, b.shape[2]))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    i = np.repeat(np.arange(n), size - 1)
    j = nn.ravel()
    coef = pair_forms(b, m, (i, j))
    vals = form_values(coef, MonomialBasis(b.shape[2], m), V)   # (400, pairs)
    row_max = vals.reshape(400, n, size - 1).mean(axis=2).max(axis=0)
    return float(factor * np.quantile(row_max, quantile))


def sdp_cluster(data, U, k, *, relaxation="peng_wei", m=4, alpha=0.0, n_groups=None,
                bound="auto", rounding="spectral", moment_rows="aggregate", L=None,
                readmit=True, max_sdp=None, solver=None, rng=None, solver_opts=None):
    """Cluster heavy tasks with an SDP / SoS relaxation.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    U : ndarray (d, k)
    k : int
    relaxation : {"peng_wei", "peng_wei_robust", "sos"}
    m : int
        Moment degree for ``"sos"`` (4 or 6).
    alpha : float
        Outlier fraction for the robust variants.
    n_groups : int, optional
        Groups per task for the moment forms (default m).
    bound : float or "auto"
        β of the moment constraints in noise units (see :func:`_auto_bound`).
    rounding : {"spectral", "mode", "linkage"}
    moment_rows : {"aggregate", "per_row"}
        One certificate for the sum of the rows (default: an SDP of the size
        of Peng–Wei plus one Gram block) or one per row (n Gram blocks and
        n·C(k+m−1, m) equalities — much slower with SCS, see docs).
    L : int, optional
        Split pairs for the distance matrix.
    readmit : bool
        Robust variants: a task whose row shed its mass is re-admitted to the
        cluster whose members are closest to it (median of D) when that
        median is within 4 robust standard deviations (MAD) of the members' own
        medians;
        the others stay outliers. The SDP sheds exactly αn rows whatever the
        data, so without this step clean tasks are always lost.
    max_sdp : int, optional
        Solve the SDP on a random subsample of this many tasks and assign the
        others to the closest cluster (median of D; robust variants keep the
        MAD limit, so far tasks stay outliers). The SDP cost grows ≈ n³, so
        this trades a little accuracy for large speed-ups (documented in
        docs/clustering.md).
    solver : str, optional
        ``"BM"`` (default for ``"peng_wei"`` and ``"peng_wei_robust"``): the
        nonnegative Burer–Monteiro solver of :mod:`.burer_monteiro` (via
        :func:`.factored.bm_cluster`; memory O(n k) when L = 1, so every heavy
        task can be clustered). Any cvxpy solver name (e.g. ``"SCS"``, the
        default and only choice for ``"sos"``) solves the full SDP with cvxpy
        instead (memory and time ≈ n² and n³: use ``max_sdp`` beyond a few
        hundred tasks).
    solver_opts : dict, optional
        Options of the solver (:func:`.burer_monteiro.solve_peng_wei_bm` for
        ``"BM"``, the cvxpy solver's otherwise).
    rng : None, int or Generator
        For k-means in the rounding and the subsample.

    Returns
    -------
    ClusteringResult
    """
    rng = check_rng(rng)
    alpha = check_alpha(alpha)
    n = data.n_tasks
    k = check_int(k, "k", min_val=1, max_val=n)
    bm = _check_options(relaxation, rounding, solver)
    if bm:
        return bm_cluster(data, U, k, robust=relaxation == "peng_wei_robust", alpha=alpha,
                          L=L, rounding=rounding, readmit=readmit, max_sdp=max_sdp,
                          rng=rng, solver_opts=solver_opts)
    t0 = time.perf_counter()
    # "sos" adds the moment constraints to robust Peng–Wei when α > 0, and to
    # plain Peng–Wei when α = 0 (so m = 2 vs m = 4 compare like for like)
    robust = relaxation == "peng_wei_robust" or (relaxation == "sos" and alpha > 0)
    D, b, sub, prob, Z, info = _build(data, U, k, relaxation, robust, alpha, m, n_groups,
                                      bound, moment_rows, L, max_sdp, rng)
    info["build_time"] = time.perf_counter() - t0
    sinfo = _solve(prob, relaxation, solver, solver_opts, n, k)
    labels, mass = _round_and_assign(np.asarray(Z.value), D, b, sub, k, robust, readmit,
                                     rounding, rng)
    info.update(solver=sinfo, rounding=rounding, time=time.perf_counter() - t0,
                mass=mass, sdp_tasks=int(sub.size))
    return ClusteringResult(labels, labels < 0, float(prob.value), info)


def _check_options(relaxation, rounding, solver):
    """Validate the names; True when the Burer–Monteiro solver is used."""
    if rounding not in ROUNDINGS:
        raise ValidationError(f"rounding {rounding!r} unknown; choose from {sorted(ROUNDINGS)}")
    if relaxation not in ("peng_wei", "peng_wei_robust", "sos"):
        raise ValidationError(f"relaxation {relaxation!r} unknown; choose from "
                              "['peng_wei', 'peng_wei_robust', 'sos']")
    bm = (solver or ("SCS" if relaxation == "sos" else "BM")).upper() == "BM"
    if bm and relaxation == "sos":
        raise ValidationError("solver='BM' solves the Peng–Wei relaxations only; the "
                              "'sos' relaxation needs a cvxpy solver such as 'SCS'")
    return bm


def _build(data, U, k, relaxation, robust, alpha, m, n_groups, bound, moment_rows, L,
           max_sdp, rng):
    """Distance matrix, group estimates in noise units, the SDP subsample and
    the cvxpy problem (with the moment constraints for ``"sos"``)."""
    import cvxpy as cp      # loaded where a relaxation is built
    n = data.n_tasks
    D = distance_matrix(data, U, L)
    G = n_groups or m
    b = group_estimates(data, U, check_int(G, "n_groups", min_val=2))
    sigma = noise_scale(b)
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValidationError(f"noise scale of the group estimates is {sigma}; need > 0")
    b = b / sigma                                   # noise units: SCS converges faster
    sub = np.arange(n)
    if max_sdp is not None and n > max_sdp:
        sub = np.sort(rng.choice(n, size=check_int(max_sdp, "max_sdp", min_val=2 * k),
                                 replace=False))
    Ds, b = D[np.ix_(sub, sub)], b[:, sub]             # what the SDP sees
    Z, obj, cons = peng_wei_problem(_normalise(Ds), k, alpha, robust)
    info = {"method": relaxation, "noise_scale": sigma, "n": n, "k": k}
    if relaxation == "sos":
        m = check_int(m, "m", min_val=2)
        if m % 2:
            raise ValidationError(f"m must be even, got {m}")
        if G < m:
            raise ValidationError(f"n_groups={G} < m={m}: moment forms need m groups")
        beta = _auto_bound(b, Ds, k, m, rng) if bound == "auto" else check_float(bound, "bound",
                                                                             min_val=0.0)
        mc, sizes = add_moment_constraints(Z, b, m, beta, moment_rows == "per_row")
        cons += mc
        info.update(sizes, m=m, bound=beta)
    return D, b, sub, cp.Problem(obj, cons), Z, info


def _solve(prob, relaxation, solver, solver_opts, n, k):
    """Solve with status checks; failures name the relaxation and its size."""
    opts = dict(solver_opts or {})
    if (solver or "SCS").upper() == "SCS":
        # rounding needs a coarse Z only: 1e-4 is ample and ~5x faster than 1e-6
        opts.setdefault("eps", 1e-4)
        opts.setdefault("max_iters", 10000)
    try:
        return sos.solve(prob, solver, **opts)
    except SolverFailedError as exc:
        raise SolverFailedError(f"{relaxation} clustering (n_H={n}, k={k}): {exc}") from exc
    except sos.SosValidationError as exc:
        raise ValidationError(f"solver_opts {solver_opts!r}: {exc}") from None


def _round_and_assign(Zv, D, b, sub, k, robust, readmit, rounding, rng):
    """Labels of all n tasks from the SDP solution on the subsample ``sub``:
    round Z, re-admit shed clean rows, assign tasks outside the subsample."""
    n = D.shape[0]
    Zv = (Zv + Zv.T) / 2
    mass = Zv.sum(axis=1)
    inl_sub = mass >= INLIER_MASS if robust else np.ones(sub.size, bool)
    idx, lab = ROUNDINGS[rounding](Zv, k, b.mean(axis=0), rng, inl_sub)
    labels = np.full(n, -1)
    labels[sub[idx]] = lab
    Ds = D if sub.size == n else D[np.ix_(sub, sub)]
    if robust and readmit:
        labels[sub] = _assign(labels[sub], Ds, k, np.flatnonzero(labels[sub] < 0))
    if sub.size < n:                          # tasks outside the SDP subsample
        labels = _assign(labels, D, k, np.setdiff1d(np.arange(n), sub), robust)
    return labels, mass


def _assign(labels, D, k, which, robust=True):
    """Assign tasks ``which`` to the cluster whose members are closest (median
    of the dense D): the rule of :func:`.factored.assign_blocked`."""
    return assign_blocked(labels, DenseCost(D), k, which, robust)
