"""Certified m-th moment bounds of recovered clusters (a check that a cluster is one cluster).

For a recovered cluster C of heavy tasks, let x_i be the task's projected
mean estimate (the average over G disjoint example groups of
b_i^(g) = mean of y·Uᵀx over group g, unbiased for μ_{z_i} = Uᵀw_{z_i}) and
x̄_C their mean over C. The degree-m SoS certificate of :mod:`sos` bounds

    max_{‖v‖=1} p_C(v),   p_C(v) = (1/|C|) Σ_{i∈C} ⟨x_i − x̄_C, v⟩^m  ≤  B_C

rigorously (:func:`sos.certify_moment_bound`, ``rigorous_bound``: the Gram
identity's residual and the Gram matrix's negative eigenvalue are added back,
so the bound holds whatever the solver's accuracy).

*Clean reference.* Groups of one task are independent, so the across-group
sample covariance divided by G is unbiased for the noise covariance of x_i;
Σ_C is its average over C. If the tasks of C came from one component and their
noise were Gaussian with covariance Σ_C, each x_i − x̄_C would be
N(0, (1 − 1/|C|) Σ_C), so

    E p_C(v) = (m−1)!! · ((1 − 1/|C|) vᵀΣ_C v)^{m/2},
    max_{‖v‖=1} E p_C(v) = (m−1)!! · ((1 − 1/|C|) λ_max(Σ_C))^{m/2}  =: R_C

(3 λ_max² at m = 4, up to the centring factor). ``ratio`` = B_C / R_C. The
task means of y·x are not exactly Gaussian: for Gaussian covariates and
noise, one example's ⟨y·Uᵀx, v⟩ has fourth cumulant between 6 and 12 times
its squared variance (docs/clustering.md derives it), so a clean cluster of
tasks with t examples has population ratio between 1 + 2/t and 1 + 4/t at
m = 4, plus the sampling excess of the maximum over the sphere at finite |C|.

*Two merged clusters.* If C mixes two components with weights p, 1 − p and
centre gap Δ along u, then along u the fourth moment gains
6 p(1−p) Δ² uᵀΣ_C u + p(1−p)(1 − 3p + 3p²) Δ⁴ over the noise part
(odd cross terms vanish), so the ratio grows like Δ⁴/(48 λ²) at p = 1/2: a
small certified ratio rules out a merge with a large gap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

import sos

from ..._validation import check_array, check_int, check_rng
from ...exceptions import ConvergenceWarning, SolverFailedError, ValidationError
from .split_moments import group_estimates

__all__ = ["ClusterCertificates", "certify_clusters"]


@dataclass(frozen=True)
class ClusterCertificates:
    """Certified m-th moment bounds of the recovered clusters, one entry per cluster.

    Attributes
    ----------
    sizes : ndarray of int (k,)
        Tasks per cluster (label −1, outliers, are ignored).
    bound : ndarray (k,)
        B_C, the rigorous SoS upper bound of max_{‖v‖=1} p_C(v).
    witness : ndarray (k,)
        p_C at the best unit vector found by power iterations: a lower bound
        of the same maximum, so ``witness <= max p_C <= bound``.
    directions : ndarray (k, k_dim)
        The unit vectors achieving ``witness``.
    reference : ndarray (k,)
        R_C = (m−1)!! ((1 − 1/|C|) λ_max(Σ_C))^{m/2}, the value for one
        Gaussian cluster with the estimated noise covariance Σ_C.
    ratio : ndarray (k,)
        ``bound / reference``.
    noise_eig : ndarray (k,)
        λ_max(Σ_C).
    certificates : tuple of sos.MomentCertificate
        The Gram certificates (solver, status, residual, λ_min of the Gram).
    m : int
        Moment degree.
    n_groups : int
        Example groups per task used for x_i and Σ_C.
    """

    sizes: np.ndarray
    bound: np.ndarray
    witness: np.ndarray
    directions: np.ndarray
    reference: np.ndarray
    ratio: np.ndarray
    noise_eig: np.ndarray
    certificates: tuple
    m: int
    n_groups: int


def _double_factorial(j):
    return float(np.prod(np.arange(j, 0, -2))) if j > 0 else 1.0


def _witness(Xc, m, rng, n_starts, max_iter, tol):
    """max of p(v) = mean ⟨x_i, v⟩^m over unit v by the power iteration
    v ← ∇p(v)/‖∇p(v)‖ from the top principal axis and ``n_starts`` random
    starts; p is convex (a sum of even powers of linear forms), so each step
    does not decrease p (Kofidis and Regalia 2002). Returns (value, v)."""
    k = Xc.shape[1]
    V = rng.standard_normal((k, n_starts))
    V[:, 0] = np.linalg.eigh(Xc.T @ Xc)[1][:, -1]
    V /= np.linalg.norm(V, axis=0)
    val = np.mean((Xc @ V) ** m, axis=0)
    for _ in range(max_iter):
        P = Xc @ V
        grad = Xc.T @ P ** (m - 1)
        norm = np.linalg.norm(grad, axis=0)
        V = np.where(norm > 0, grad / np.where(norm > 0, norm, 1.0), V)
        new = np.mean((Xc @ V) ** m, axis=0)
        done = np.all(new - val <= tol * np.maximum(np.abs(new), 1e-300))
        val = new
        if done:
            break
    else:
        warnings.warn(f"witness power iterations hit max_iter={max_iter} before the "
                      f"relative increase fell below {tol:g}; the witness is still a "
                      "valid lower bound", ConvergenceWarning, stacklevel=3)
    best = int(np.argmax(val))
    return float(val[best]), V[:, best]


def _check_labels(labels, n, k):
    lab = np.asarray(labels)
    if lab.shape != (n,):
        raise ValidationError(f"labels must have shape ({n},) (one per task), got {lab.shape}")
    if lab.size and not np.issubdtype(lab.dtype, np.integer):
        if not np.all(np.isfinite(lab)) or np.any(lab != np.round(lab)):
            raise ValidationError("labels must be integers in -1..k-1")
        lab = lab.astype(np.int64)
    bad = (lab < -1) | (lab >= k)
    if np.any(bad):
        raise ValidationError(f"labels must lie in -1..{k - 1} (k={k}); got {lab[bad][0]}")
    return lab.astype(np.int64)


def certify_clusters(data, U, labels, k, m=4, rng=None, *, n_groups=None, min_size=None,
                     n_starts=16, max_iter=500, tol=1e-10, solver=None, solver_opts=None):
    """Certify each recovered cluster's m-th moment bound and compare it with one Gaussian cluster.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks (every task needs t_H >= 2 examples).
    U : ndarray (d, k_dim)
        Subspace basis; the moments are taken in the projected space.
    labels : array of int (n,)
        Cluster of each task in 0..k−1, −1 for outliers (ignored).
    k : int
        Number of clusters; each must hold at least ``min_size`` tasks.
    m : int
        Even moment degree (4 by default; 6 works for small k_dim).
    rng : None, int or Generator
        Random starts of the witness power iterations.
    n_groups : int, optional
        Example groups per task (>= 2); default the smallest task size, so
        equal-size tasks use every example as its own group.
    min_size : int, optional
        Smallest cluster accepted; default k_dim + 1 (fewer centred points
        do not span the space).
    n_starts, max_iter, tol
        Witness power iterations: random starts (plus the top principal
        axis), iteration cap (ConvergenceWarning when hit) and relative
        tolerance.
    solver : str, optional
        SDP solver for the certificates (default SCS).
    solver_opts : dict, optional
        Passed to the solver.

    Returns
    -------
    ClusterCertificates

    Raises
    ------
    ValidationError
        Bad labels, k, m, n_groups; a task with t_H < 2 or < n_groups; a
        cluster smaller than ``min_size``.
    SolverFailedError
        A certificate's SDP failed (names the cluster, solver and size).

    Examples
    --------
    >>> import numpy as np
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> data = make_tasks(theta, 120, 16, rng=1)
    >>> U = np.linalg.qr(theta.W)[0]
    >>> truth = data.components
    >>> good = certify_clusters(data, U, truth, 2, rng=0)
    >>> merged = certify_clusters(data, U, np.zeros_like(truth), 1, rng=0)
    >>> bool(good.ratio.max() < 2.5 < 5 < merged.ratio[0])
    True
    """
    rng = check_rng(rng)
    U = check_array(U, "U", ndim=2, shape=(data.dim, None))
    kdim = U.shape[1]
    n = data.n_tasks
    k = check_int(k, "k", min_val=1, max_val=max(n, 1))
    m = check_int(m, "m", min_val=2)
    if m % 2:
        raise ValidationError(f"m must be even (an m-th moment form on the sphere), got {m}")
    lab = _check_labels(labels, n, k)
    t_min = int(data.sizes.min()) if n else 0
    if t_min < 2:
        raise ValidationError(f"the within-task noise covariance needs t_H >= 2 examples per "
                              f"task, but a heavy task has t_H={t_min}")
    G = t_min if n_groups is None else check_int(n_groups, "n_groups", min_val=2,
                                                 max_val=t_min)
    min_size = kdim + 1 if min_size is None else check_int(min_size, "min_size", min_val=2)
    sizes = np.bincount(lab[lab >= 0], minlength=k)
    if sizes.min() < min_size:
        c = int(np.argmin(sizes))
        raise ValidationError(f"cluster {c} has {int(sizes[c])} tasks < min_size={min_size} "
                              f"(k={k}, k_dim={kdim}); too few to bound its moments")
    b = group_estimates(data, U, G)                        # (G, n, k_dim)
    x = b.mean(axis=0)
    r = b - x
    # unbiased covariance of x_i: across-group covariance / G, one k_dim² row per task
    S = np.einsum("gni,gnj->nij", r, r).reshape(n, -1) / (G * (G - 1))
    out = {key: np.zeros(k) for key in ("bound", "witness", "reference", "noise_eig")}
    dirs = np.zeros((k, kdim))
    certs = []
    opts = dict(solver_opts or {})
    for c in range(k):                                     # loop over clusters only
        idx = np.flatnonzero(lab == c)
        Xc = x[idx] - x[idx].mean(axis=0)
        try:
            cert = sos.certify_moment_bound(Xc, m, solver=solver, **opts)
        except SolverFailedError as exc:
            raise SolverFailedError(f"moment certificate of cluster {c} ({idx.size} tasks, "
                                    f"k_dim={kdim}, m={m}): {exc}") from exc
        lam = float(np.linalg.eigvalsh(S[idx].mean(axis=0).reshape(kdim, kdim))[-1])
        out["bound"][c] = cert.rigorous_bound
        out["witness"][c], dirs[c] = _witness(Xc, m, rng, n_starts, max_iter, tol)
        out["noise_eig"][c] = lam
        out["reference"][c] = _double_factorial(m - 1) * ((1 - 1 / idx.size) * lam) ** (m / 2)
        certs.append(cert)
    ratio = out["bound"] / np.where(out["reference"] > 0, out["reference"], np.nan)
    return ClusterCertificates(sizes, out["bound"], out["witness"], dirs, out["reference"],
                               ratio, out["noise_eig"], tuple(certs), m, G)
