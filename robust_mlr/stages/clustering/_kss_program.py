"""The degree-4 Kothari–Steinhardt–Steurer program for one cluster (private).

Built with sparse index maps from :class:`sos.subsets.SubsetIndex` (one
``searchsorted`` per block, no loops over entries) and handed to cvxpy in one
piece; see :func:`robust_mlr.stages.clustering.kss.kss_relaxation` for the
formulation.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

import sos
from sos import MonomialBasis, gram_map, multinomial, sphere_form
from sos import SubsetIndex

__all__ = ["pair_quartics", "build_program", "solve_program"]


def pair_quartics(points, pairs):
    """Coefficients (n_pairs, C(k+3, 4)) of ⟨b_i − b_j, v⟩⁴ over
    ``MonomialBasis(k, 4)``: (4!/γ!) (b_i − b_j)^γ."""
    basis = MonomialBasis(points.shape[1], 4)
    diff = points[pairs[0]] - points[pairs[1]]
    return basis.evaluate(diff) * multinomial(basis.exponents)[None, :]


def _matrix_map(S, rows_idx, cols_idx, extra=None, coef=1.0):
    """Sparse P with (P y)[r·c + s] = coef · y[rows ∪ cols ∪ extra] (one row per entry)."""
    U = S.union(rows_idx[:, None], cols_idx[None, :])
    if extra is not None:
        U = S.union(U[..., None], extra[None, None, :]).reshape(U.shape[0] * U.shape[1], -1)
        r = np.repeat(np.arange(U.shape[0]), U.shape[1])
        return sp.csr_matrix((np.broadcast_to(coef, U.shape).ravel(), (r, U.ravel())),
                             shape=(U.shape[0], len(S)))
    return sp.csr_matrix((np.full(U.size, coef), (np.arange(U.size), U.ravel())),
                         shape=(U.size, len(S)))


def build_program(points, D, size, beta=None, alpha=0.0):
    """cvxpy problem of the program; returns ``(problem, y, S, sizes)``."""
    import cvxpy as cp      # loaded where a relaxation is built
    n, kdim = points.shape
    S = SubsetIndex(n, 4)
    y = cp.Variable(len(S))
    single = S.up_to(1)[1:]
    h1, h2 = S.up_to(1), S.up_to(2)
    cons = [y[0] == 1, y >= 0]
    m = h2.size
    M = cp.reshape(_matrix_map(S, h2, h2) @ y, (m, m), order="C")
    cons.append((M + M.T) / 2 >> 0)
    ones = np.ones(n)
    if alpha == 0:
        # Ẽ[(Σ_i w_i − size) w^a] = 0 for every |a| ≤ 3
        a = S.up_to(3)
        lhs = _matrix_map(S, a, single)                       # rows a·n + i
        agg = sp.kron(sp.identity(a.size), ones[None, :], format="csr")
        cons.append((agg @ lhs) @ y - size * y[a] == 0)
    else:
        # (1 − α) size ≤ Σ_i w_i ≤ size, localised by subsets of size ≤ 1
        q = h1.size
        tot = _matrix_map(S, h1, h1, extra=single)            # Σ_i y[a ∪ b ∪ {i}]
        base = _matrix_map(S, h1, h1)
        for expr in (tot @ y - (1 - alpha) * size * (base @ y),
                     size * (base @ y) - tot @ y):
            L = cp.reshape(expr, (q, q), order="C")
            cons.append((L + L.T) / 2 >> 0)
    pair_idx = S.union(single[:, None], single[None, :])
    objective = cp.sum(cp.multiply(D / size, _reshape(y, pair_idx)))
    sizes = {"n": n, "variables": len(S), "moment_matrix": m}
    if beta is not None:
        c, extra = _moment_constraint(S, y, points, size, beta)
        cons += c
        sizes.update(extra)
    return cp.Problem(cp.Minimize(objective), cons), y, S, sizes


def _reshape(y, idx):
    import cvxpy as cp
    return cp.reshape(y[idx.ravel()], idx.shape, order="C")


def _moment_constraint(S, y, points, size, beta):
    """Φ_ab(v) = Ẽ[w^a w^b P(w, v)] = (e_a ⊗ m(v))ᵀ X (e_b ⊗ m(v)), X ⪰ 0, for
    a, b ∈ {∅} ∪ singletons and P = β‖v‖⁴ − s⁻² Σ_ij w_i w_j ⟨b_i − b_j, v⟩⁴."""
    import cvxpy as cp
    n, kdim = points.shape
    h1 = S.up_to(1)
    q = h1.size
    iu = np.triu_indices(n, 1)
    F = pair_quartics(points, iu)                                  # (P, N)
    N = F.shape[1]
    ia, ib = np.triu_indices(q)                                    # blocks a ≤ b
    ab = S.union(h1[ia], h1[ib])                                   # (B,)
    pmask = S.union(h1[1:][iu[0]], h1[1:][iu[1]])                  # {i, j}
    idx = S.union(ab[:, None], pmask[None, :])                     # (B, P)
    B = ab.size
    rows = (np.arange(B)[:, None, None] * N + np.arange(N)[None, None, :])
    rows = np.broadcast_to(rows, (B, F.shape[0], N)).ravel()
    cols = np.broadcast_to(idx[:, :, None], (B, F.shape[0], N)).ravel()
    vals = np.broadcast_to(-2.0 / size ** 2 * F[None], (B, F.shape[0], N)).ravel()
    sph = sphere_form(kdim, 4)
    nz = np.flatnonzero(sph)
    rows = np.concatenate([rows, (np.arange(B)[:, None] * N + nz[None, :]).ravel()])
    cols = np.concatenate([cols, np.repeat(ab, nz.size)])
    vals = np.concatenate([vals, np.tile(beta * sph[nz], B)])
    K = sp.csr_matrix((vals, (rows, cols)), shape=(B * N, len(S)))
    A, _ = gram_map(MonomialBasis(kdim, 2))
    sv = int(round(np.sqrt(A.shape[1])))
    T = q * sv
    Ac = A.tocoo()
    al, be = np.divmod(Ac.col, sv)
    xr = ia[:, None] * sv + al[None, :]
    xc = ib[:, None] * sv + be[None, :]
    G = sp.csr_matrix((np.tile(Ac.data, B), ((np.arange(B)[:, None] * N + Ac.row[None, :]).ravel(),
                                             (xr * T + xc).ravel())), shape=(B * N, T * T))
    X = cp.Variable((T, T), PSD=True)
    cons = [G @ cp.vec(X, order="C") == K @ y]
    return cons, {"gram_size": T, "moment_equalities": B * N, "map_nnz": int(K.nnz)}


def solve_program(points, D, size, beta=None, alpha=0.0, solver=None, solver_opts=None):
    """Build and solve; returns ``(z, Z, value, info)`` with z_i = Ẽ[w_i] and
    Z_ij = Ẽ[w_i w_j]."""
    t0 = time.perf_counter()
    prob, y, S, sizes = build_program(points, D, size, beta, alpha)
    build = time.perf_counter() - t0
    opts = dict(solver_opts or {})
    if (solver or "SCS").upper() == "SCS":
        # the rounding needs a coarse solution: 1e-4 (as for Peng–Wei) is
        # several times faster than 1e-6; tests ask for 1e-6 explicitly
        opts.setdefault("eps", 1e-4)
        opts.setdefault("max_iters", 20000)
    try:
        info = sos.solve(prob, solver, **opts)
    except sos.SolverFailedError as exc:
        raise sos.SolverFailedError(f"degree-4 KSS program (n={points.shape[0]}, "
                                    f"size={size}): {exc}") from exc
    yv = np.asarray(y.value)
    single = S.up_to(1)[1:]
    Z = yv[S.union(single[:, None], single[None, :])]
    info.update(sizes, build_time=build, moments=yv)
    return yv[single], Z, float(prob.value), info
