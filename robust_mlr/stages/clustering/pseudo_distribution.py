"""Ground-truth relaxations on tiny instances (private): the single-cluster
lifted relaxation peeled cluster by cluster, and the full degree-D
pseudo-distribution over cluster indicators from :mod:`sos`."""

from __future__ import annotations

import itertools
import time

import numpy as np

import sos

from .base import ClusteringResult

__all__ = ["single_cluster", "single_cluster_relaxation", "peel_clusters",
           "pseudo_distribution_clustering", "brute_force_balanced"]


def single_cluster_relaxation(D, size, solver=None):
    """One cluster of ``size`` tasks: min Σ D_ij Z_ij over the lifted
    [[1, zᵀ], [z, Z]] ⪰ 0, z = diag Z, Σ_j Z_ij = size·z_i, 0 ≤ Z_ij ≤ z_i,
    Σ z = size (Z = w wᵀ for the indicator w of a cluster is feasible).
    Returns ``(z, Z, info)``.
    """
    import cvxpy as cp      # loaded where a relaxation is built
    n = D.shape[0]
    M = cp.Variable((n + 1, n + 1), PSD=True)
    Z, z = M[1:, 1:], M[0, 1:]
    cons = [M[0, 0] == 1, cp.diag(Z) == z, cp.sum(Z, axis=1) == size * z, Z >= 0,
            cp.sum(z) == size, z <= 1]
    cons.append(Z <= cp.reshape(z, (n, 1), order="C") @ np.ones((1, n)))
    prob = cp.Problem(cp.Minimize(cp.sum(cp.multiply(D, Z))), cons)
    info = sos.solve(prob, solver)
    return np.asarray(z.value), np.asarray(Z.value), info


def peel_clusters(D, k, solver=None):
    """Peel k clusters of equal size n/k with :func:`single_cluster_relaxation`:
    the ⌈n/k⌉ largest z_i form a cluster, which is removed before the next
    solve; the last cluster is what remains. Returns labels."""
    n = D.shape[0]
    labels = np.full(n, -1)
    left = np.arange(n)
    for c in range(k - 1):
        size = int(round(left.size / (k - c)))
        z, _, _ = single_cluster_relaxation(D[np.ix_(left, left)], size, solver)
        take = left[np.argsort(-z)[:size]]
        labels[take] = c
        left = np.setdiff1d(left, take)
    labels[left] = k - 1
    return labels


def pseudo_distribution_clustering(D, k, degree=4, solver=None):
    """Degree-``degree`` pseudo-distribution over Boolean indicators w_ic
    (task i in cluster c) with Σ_c w_ic = 1 and Σ_i w_ic = n/k, minimising the
    balanced k-means objective Σ_c Σ_ij D_ij w_ic w_jc / (n/k).

    Returns ``(value, Z)`` with Z_ij = Σ_c Ẽ[w_ic w_jc] / (n/k), the matrix the
    Peng–Wei SDP relaxes. Tractable only for tiny n·k (the moment matrix is
    over subsets of size ≤ degree/2 of n·k variables).
    """
    n = D.shape[0]
    size = n / k
    nv = n * k
    var = lambda i, c: i * k + c                     # noqa: E731
    R = sos.MomentRelaxation(nv, degree, boolean=True)
    poly = sos.poly
    for i in range(n):
        R.add_equality(poly(nv, {**{(var(i, c),): 1.0 for c in range(k)}, (): -1.0}))
    for c in range(k):
        R.add_equality(poly(nv, {**{(var(i, c),): 1.0 for i in range(n)}, (): -size}))
    obj = {}
    for c in range(k):
        for i in range(n):
            for j in range(n):
                if D[i, j] != 0:
                    key = poly(nv, {(var(i, c), var(j, c)): D[i, j] / size})
                    for e, v in key.items():
                        obj[e] = obj.get(e, 0.0) + v
    E = R.solve(R.expectation(obj), sense="min", solver=solver)
    Z = np.array([[sum(E(poly(nv, {(var(i, c), var(j, c)): 1.0})) for c in range(k)) / size
                   for j in range(n)] for i in range(n)])
    return E(obj), Z


def brute_force_balanced(D, k):
    """Exact balanced k-means by enumeration (tiny n): (value, labels)."""
    n = D.shape[0]
    size = n // k
    best = (np.inf, None)

    def rec(left, labels, c):
        nonlocal best
        if c == k - 1:
            lab = labels.copy()
            lab[list(left)] = c
            val = sum(D[np.ix_(lab == a, lab == a)].sum() / size for a in range(k))
            if val < best[0]:
                best = (val, lab)
            return
        first = min(left)
        for rest in itertools.combinations(sorted(left - {first}), size - 1):
            group = (first,) + rest
            lab = labels.copy()
            lab[list(group)] = c
            rec(left - set(group), lab, c + 1)

    rec(set(range(n)), np.full(n, -1), 0)
    return best


def single_cluster(data, U, k, L=None, solver=None):
    """Kothari / Hopkins–Li style single-cluster relaxation on the heavy
    tasks' distance matrix, peeled k − 1 times."""
    from .linkage import distance_matrix
    from .sdp import _normalise
    t0 = time.perf_counter()
    labels = peel_clusters(_normalise(distance_matrix(data, U, L)), k, solver)
    return ClusteringResult(labels, np.zeros(data.n_tasks, bool), None,
                            {"method": "single-cluster peeling",
                             "time": time.perf_counter() - t0})
