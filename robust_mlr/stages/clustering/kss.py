"""A genuine degree-4 sum-of-squares relaxation of Kothari–Steinhardt–Steurer
clustering (Kothari, Steinhardt, Steurer 2018; Hopkins and Li 2018), one
cluster at a time.

For points b_1..b_n ∈ R^k (the heavy tasks' projected means in noise units)
and a cluster size s, the program is a degree-4 pseudo-distribution Ẽ over
indicators w ∈ {0,1}^n — values y_T = Ẽ[Π_{i∈T} w_i] for |T| ≤ 4, so
w_i² = w_i holds by construction — with

* Ẽ[1] = 1, the moment matrix over subsets of size ≤ 2 PSD, y ≥ 0;
* cluster size: Ẽ[(Σ_i w_i − s) w^a] = 0 for |a| ≤ 3 (under a threat model
  with budget α: (1 − α)s ≤ Σ_i w_i ≤ s as two localising matrices);
* the fourth-moment bound (the KSS constraint)

      P(w, v) = β‖v‖⁴ − s⁻² Σ_{i,j} w_i w_j ⟨b_i − b_j, v⟩⁴ ≥ 0 for all v,

  imposed as a localising constraint in w whose entries are SoS in v: the
  (n+1) × (n+1) matrix of quartic forms Φ_ab(v) = Ẽ[w^a w^b P(w, v)]
  (a, b ∈ {∅, {1}, …, {n}}; w-degree 1 + 1 + 2 = 4) equals
  (e_a ⊗ m(v))ᵀ X (e_b ⊗ m(v)) for one Gram matrix X ⪰ 0 of side
  (n+1)·C(k+1, 2), m(v) the degree-2 monomials of v. Then for every affine
  q(w), Ẽ[q(w)² P(w, v)] is a sum of squares in v.

The objective is the single-cluster k-means cost Ẽ[s⁻¹ Σ_ij D_ij w_i w_j].

What is relaxed, exactly: (i) w by a degree-4 pseudo-distribution (not a
distribution); (ii) "P ≥ 0 for all v" by "P is a matrix SoS in v of degree
4" (equal for k = 2 — binary quartics — a restriction for k ≥ 3), with the
w-multipliers q of degree ≤ 1; (iii) the centred moment by the pairwise one:
when Σ w = s, s⁻² Σ_ij w_i w_j ⟨b_i − b_j, v⟩⁴ = 2 M₄(v) + 6 M₂(v)², M_r
the r-th central moment of the selected points in direction v (a polynomial
identity, so the bound on the pairwise form bounds M₄ and is degree 2 in w
where the centred form s⁻¹ Σ w_i ⟨b_i − μ(w), v⟩⁴ has degree 5).

Rounding: the s largest Ẽ[w_i]; clusters are peeled k − 1 times (the peeled
cluster and the points inside its ball are removed), the rest is the k-th
cluster, and every task is finally assigned to the nearest of the k centres
(the peeling labels are kept if that empties a cluster).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from ..._validation import check_float, check_int, check_rng
from ...exceptions import ValidationError
from ._kss_program import solve_program
from .base import ClusteringResult
from .linkage import distance_matrix
from .split_moments import group_estimates, noise_scale

__all__ = ["KSSSolution", "kss_relaxation", "brute_force_kss", "auto_beta", "kss_cluster"]


@dataclass
class KSSSolution:
    """A solved single-cluster program.

    Attributes
    ----------
    z : ndarray (n,)
        Ẽ[w_i].
    Z : ndarray (n, n)
        Ẽ[w_i w_j] (diagonal = z).
    value : float
        Optimal objective Ẽ[s⁻¹ Σ D_ij w_i w_j].
    selected : ndarray of int
        The s tasks with the largest Ẽ[w_i] (the rounding).
    info : dict
        Solver, status, time, problem sizes and ``moments`` (all y_T).
    """

    z: np.ndarray
    Z: np.ndarray
    value: float
    selected: np.ndarray
    info: dict


def _check_points(points, D, size):
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or not np.all(np.isfinite(points)):
        raise ValidationError(f"points must be a finite (n, k) array, got shape {points.shape}")
    n = points.shape[0]
    D = np.asarray(D, dtype=float)
    if D.shape != (n, n) or not np.all(np.isfinite(D)):
        raise ValidationError(f"D must be a finite ({n}, {n}) array, got shape {D.shape}")
    size = check_int(size, "size", min_val=1, max_val=n)
    return points, (D + D.T) / 2, size


def kss_relaxation(points, D, size, *, beta=None, alpha=0.0, solver=None, solver_opts=None):
    """Solve the degree-4 KSS program for one cluster (see the module docstring).

    Parameters
    ----------
    points : ndarray (n, k)
        The points b_i (n ≤ 62; the program has C(n, 4) + … + 1 variables).
    D : ndarray (n, n)
        Cost matrix of the objective (squared distances or an unbiased
        estimate of them).
    size : int
        Cluster size s.
    beta : float, optional
        β of the fourth-moment bound; None drops the moment constraint (the
        degree-4 relaxation of single-cluster k-means alone).
    alpha : float
        Threat budget: the size becomes (1 − α)s ≤ Σ w ≤ s.
    solver : str, optional
        cvxpy solver (default SCS; MOSEK only when licensed).
    solver_opts : dict, optional

    Returns
    -------
    KSSSolution
    """
    points, D, size = _check_points(points, D, size)
    if points.shape[0] > 62:
        raise ValidationError(f"points has n={points.shape[0]} rows; the degree-4 program is "
                              "limited to n <= 62 (and to n ≈ 40 in minutes)")
    if beta is not None:
        beta = check_float(beta, "beta", min_val=0.0)
    alpha = check_float(alpha, "alpha", min_val=0.0, max_val=0.5)
    z, Z, value, info = solve_program(points, D, size, beta, alpha, solver, solver_opts)
    selected = np.sort(np.argsort(-z, kind="stable")[:size])
    return KSSSolution(z, Z, value, selected, info)


def pairwise_quartic_max(points, n_dirs=20000, rng=0):
    """max over unit v of s⁻² Σ_ij ⟨b_i − b_j, v⟩⁴ (random directions plus the
    coordinate axes; exact to the grid for k ≤ 2 where a fine circle is used)."""
    points = np.asarray(points, dtype=float)
    s, kdim = points.shape
    if kdim == 1:
        V = np.ones((1, 1))
    elif kdim == 2:
        t = np.linspace(0, np.pi, n_dirs, endpoint=False)
        V = np.column_stack([np.cos(t), np.sin(t)])
    else:
        V = np.random.default_rng(rng).standard_normal((n_dirs, kdim))
        V = np.vstack([V / np.linalg.norm(V, axis=1, keepdims=True), np.eye(kdim)])
    P = points @ V.T                                             # (s, R)
    diff = P[:, None, :] - P[None, :, :]
    return float(np.max(np.sum(diff ** 4, axis=(0, 1)) / s ** 2))


def brute_force_kss(points, D, size, beta=None):
    """Exact single-cluster optimum by enumeration of the C(n, s) subsets
    (tiny n): min s⁻¹ Σ_{i,j∈T} D_ij over |T| = s with, when β is given,
    max_v s⁻² Σ_{i,j∈T} ⟨b_i − b_j, v⟩⁴ ≤ β (exact for k ≤ 2 up to a 20 000-point
    circle grid). Returns ``(value, subset)`` (``(inf, None)`` if infeasible)."""
    points, D, size = _check_points(points, D, size)
    n = points.shape[0]
    T = np.array(list(itertools.combinations(range(n), size)))
    cost = D[T[:, :, None], T[:, None, :]].sum(axis=(1, 2)) / size
    best = (np.inf, None)
    for r in np.argsort(cost, kind="stable"):
        if beta is None or pairwise_quartic_max(points[T[r]]) <= beta:
            best = (float(cost[r]), T[r])
            break
    return best


def auto_beta(points, D, size, factor=1.5, quantile=0.5, rng=None):
    """β from the data: for each point, the pairwise-quartic maximum of it and
    its s − 1 nearest neighbours under D (a stand-in for its cluster; random
    directions), times ``factor``, at the ``quantile`` over points."""
    rng = check_rng(rng)
    points = np.asarray(points, dtype=float)
    n, kdim = points.shape
    nn = np.argsort(D, axis=1, kind="stable")[:, :size]
    V = rng.standard_normal((400, kdim))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    P = points[nn] @ V.T                                         # (n, s, R)
    vals = np.sum((P[:, :, None, :] - P[:, None, :, :]) ** 4, axis=(1, 2)) / size ** 2
    return float(factor * np.quantile(vals.max(axis=1), quantile))


def kss_cluster(data, U, k, *, moment=True, beta="auto", beta_factor=1.5, min_share=None,
                alpha=0.0, n_groups=2, L=None, solver=None, solver_opts=None, rng=None):
    """Cluster heavy tasks by peeling the degree-4 KSS program k − 1 times.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks (n ≤ 62).
    U : ndarray (d, k)
    k : int
    moment : bool
        Impose the fourth-moment constraint (False: the same program without it).
    beta : float or "auto"
        β in noise units (see :func:`auto_beta`, computed once on all tasks).
    beta_factor : float
        ``factor`` of :func:`auto_beta`.
    min_share : float, optional
        Cluster size s = ⌊min_share · n⌋ (a lower bound on the smallest
        component share); default: balanced, s = ⌊n_left / (k − c)⌋ at peel c.
    alpha : float
        Threat budget (size (1 − α)s ≤ Σ w ≤ s).
    n_groups : int
        Groups per task; the points are the means of the group means.
    L : int, optional
        Split pairs of the distance matrix of the objective.
    solver, solver_opts
        cvxpy solver and options (default SCS).
    rng : None, int or Generator

    Returns
    -------
    ClusteringResult
    """
    rng = check_rng(rng)
    t0 = time.perf_counter()
    n = data.n_tasks
    k = check_int(k, "k", min_val=1, max_val=n)
    b = group_estimates(data, U, check_int(n_groups, "n_groups", min_val=2))
    sigma = noise_scale(b)
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValidationError(f"noise scale of the group estimates is {sigma}; need > 0")
    pts = b.mean(axis=0) / sigma
    D = distance_matrix(data, U, L) / sigma ** 2
    if min_share is not None:
        min_share = check_float(min_share, "min_share", min_val=0.0, max_val=1.0,
                                include_min=False)
    if moment:
        s0 = int(np.floor(min_share * n)) if min_share else n // k
        beta = (auto_beta(pts, D, max(s0, 2), beta_factor, rng=rng) if beta == "auto"
                else check_float(beta, "beta", min_val=0.0))
    left = np.arange(n)
    centres, solves = [], []
    peel = np.full(n, k - 1)
    for c in range(k - 1):
        size = int(np.floor(min_share * n)) if min_share else left.size // (k - c)
        size = min(max(size, 1), left.size - (k - 1 - c))
        sol = kss_relaxation(pts[left], D[np.ix_(left, left)], size,
                             beta=beta if moment else None, alpha=alpha, solver=solver,
                             solver_opts=solver_opts)
        sel = left[sol.selected]
        mu = pts[sel].mean(axis=0)
        centres.append(mu)
        solves.append({k_: v for k_, v in sol.info.items() if k_ != "moments"})
        # drop the cluster and the points inside its ball, keeping one point
        # for each cluster still to be peeled
        rest = left[~np.isin(left, sel)]
        ball = np.linalg.norm(pts[rest] - mu, axis=1) <= np.linalg.norm(pts[sel] - mu,
                                                                          axis=1).max()
        if rest.size - ball.sum() < k - 1 - c:
            ball[:] = False
        peel[sel] = c
        peel[rest[ball]] = c
        left = rest[~ball]
    centres.append(pts[left].mean(axis=0))
    C = np.array(centres)
    labels = np.argmin(((pts[:, None, :] - C[None]) ** 2).sum(axis=2), axis=1)
    if np.bincount(labels, minlength=k).min() == 0:      # a centre lost all its tasks
        labels = peel
    info = {"method": "kss_m4" if moment else "kss_no_moment", "beta": beta if moment else None,
            "solves": solves, "time": time.perf_counter() - t0, "noise_scale": sigma}
    return ClusteringResult(labels, np.zeros(n, bool), None, info)
