"""Nonnegative Burer–Monteiro solver for the (robust) Peng–Wei k-means SDP.

The Peng–Wei relaxation

    min ⟨D, Z⟩  s.t.  Z 1 = 1,  tr Z = k,  Z ≥ 0,  Z ⪰ 0

and its robust variant (Z 1 ≤ 1, 1ᵀZ1 ≥ n − ⌊αn⌋, diag Z ≤ c, tr Z = k,
Z ≥ 0, Z ⪰ 0) are solved over the factorisation Z = Y Yᵀ with Y ≥ 0
(n × r, r a little above k), following Zhuang, Chen, Yang and Zhang,
"Statistically optimal K-means clustering via nonnegative low-rank
semidefinite programming" (ICLR 2024). Z ⪰ 0 and Z ≥ 0 then hold exactly;
the linear constraints enter an augmented Lagrangian (equalities with the
usual multiplier update, inequalities in Rockafellar's form), whose
subproblems over Y ≥ 0 are solved by L-BFGS-B (a projected quasi-Newton
method: gradient projection onto the box Y ≥ 0 plus limited-memory curvature)
over the free entries of Y only — positive, or at zero with a negative
gradient — freeing further zeros between runs when their gradient turns
negative (a task lives in one or two of the r columns, so most entries are
zeros at bound, and L-BFGS-B's own work per step grows with the entries it
is given).
Every quantity the solver needs is Z's action through Y — row sums
Y (Yᵀ1), trace ‖Y‖², diagonal Σ_c Y_ic² and the cost gradient D Y — so with
the low-rank distance of one split pair,

    D = a 1ᵀ + 1 aᵀ − P Qᵀ − Q Pᵀ      (P, Q: n × k),

one iteration costs O(n k r) time and O(n (k + r)) memory: D is never formed.

Escapes. Non-negative Burer–Monteiro has spurious stationary points (two
clusters in one column; whole rows shed where the robust optimum sheds mass
fractionally). After the augmented Lagrangian has converged, a second-order
check on the multiplier matrix M over each column's support
(:mod:`._bm_escape`) finds a direction the factor cannot follow locally —
split a column along a negative eigenvector of M on its support, or add a
nonnegative column with negative Rayleigh quotient — and the solve resumes
from there; a step is kept only when it lowers the objective by more than
10·tol relatively.

Certificates. Every answer reports its primal residuals and a KKT
(stationarity) residual; when n ≤ ``dual_max`` it also reports a dual lower
bound. With multipliers λ of the linear constraints (trace included, z), the
Lagrangian is ⟨M, Z⟩ + c(λ). Every feasible Z has Z ≥ 0, row sums ≤ 1 and
tr Z = k, so for any symmetric N

    ⟨N, Z⟩ ≥ Σ_i min(0, min_j N_ij),     ⟨M − N, Z⟩ ≥ k · λ_min(M − N),

and c(λ) + Σ_i min(0, min_j N_ij) + k λ_min(M − N) is a lower bound on the
SDP value. N follows Iguchi, Mixon, Peterson and Villar ("Probably
certifiably correct k-means clustering", Math. Programming 2017) on the
blocks C of the computed Z (connected components of its support): zero on
the blocks, and off them the rank-two correction that makes
(M − N) 1_C = 0 for every block. The bound is valid whatever λ; it is tight
only when the multipliers happen to make M − N PSD, which the augmented
Lagrangian's multipliers (one of many optimal duals) rarely do, so it is
reported, not used to decide the status.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import eigh
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from sos.exceptions import SolverInaccurateWarning

from ...exceptions import SolverFailedError
from ..._validation import check_alpha, check_array, check_float, check_int, check_rng
from . import _bm_escape
from ._bm_costs import DenseCost, LowRankCost, typical_cost
from ._bm_lagrangian import Lagrangian, augmented_lagrangian, kkt_residual
from .rounding import kmeans

__all__ = ["DenseCost", "LowRankCost", "BMResult", "solve_peng_wei_bm", "robust_diag_cap",
           "mds_labels", "typical_cost"]

#: Steps over which a subproblem after an escape step must still lower the
#: augmented Lagrangian by tol/10 (relative) to go on. On the default
#: problem's heavy pool (n_H = 400) it cut the escape's re-solve from 3 200
#: to 1 270 L-BFGS-B steps at the same clustering; a 50-step window ended
#: 1.4e-3 above the SCS value on 100 benchmark tasks.
_STALL_WINDOW = 100


def robust_diag_cap(n, alpha):
    """The robust variant's bound on diag Z: 1 / max(⌊αn⌋ + 1, 2)."""
    return 1.0 / max(int(np.floor(alpha * n)) + 1, 2)


@dataclass
class BMResult:
    """Outcome of :func:`solve_peng_wei_bm`.

    Attributes
    ----------
    Y : ndarray (n, r)
        Nonnegative factor, Z = Y Yᵀ.
    objective : float
        ⟨D, Z⟩.
    primal_residual : float
        Largest violation of the linear constraints (absolute; the total-mass
        constraint divided by n).
    kkt_residual : float
        ‖Y − max(0, Y − ∇_Y ℒ)‖_F / (1 + ‖∇_Y f‖_F): stationarity of the
        Lagrangian over Y ≥ 0 at the final multipliers.
    dual_bound : float or None
        Valid lower bound on the SDP value (see module docstring); None when
        n > ``dual_max``.
    status : str
        ``"optimal"``, ``"inaccurate"``.
    info : dict
        Iterations, penalty, multipliers, time, sizes.
    """

    Y: np.ndarray
    objective: float
    primal_residual: float
    kkt_residual: float
    dual_bound: float | None
    status: str
    info: dict = field(default_factory=dict)

    @property
    def gap(self):
        """Relative gap (objective − dual bound) / max(1, |objective|), or None."""
        if self.dual_bound is None:
            return None
        return (self.objective - self.dual_bound) / max(1.0, abs(self.objective))

    def row_mass(self):
        """Z 1 = Y (Yᵀ 1)."""
        return self.Y @ self.Y.sum(axis=0)


def mds_labels(op, k, rng, oversample=5, power=6):
    """k-means labels of the classical-MDS embedding of D (warm start).

    The top-k eigenpairs of B = −J D J / 2 (J the centring projection; B is
    the Gram matrix of the points when D holds their squared distances) are
    found by randomised subspace iteration, using only products D X.
    """
    n = op.n

    def gram(X):
        X = X - X.mean(axis=0)
        DX = op.matmul(X)
        return -(DX - DX.mean(axis=0)) / 2

    X = rng.standard_normal((n, min(n, k + oversample)))
    for _ in range(power):
        X = np.linalg.qr(gram(X))[0]
    T = X.T @ gram(X)
    w, V = np.linalg.eigh((T + T.T) / 2)
    emb = X @ (V[:, -k:] * np.sqrt(np.maximum(w[-k:], 0.0)))
    return kmeans(emb, k, rng)


def _shed_farthest(op, labels, k, m):
    """Robust warm start: m tasks in all start unlabelled, i.e. with no
    mass — those ``labels`` leaves unlabelled, then the labelled tasks
    farthest (mean D) from their own cluster."""
    labels = np.array(labels)
    ok = labels >= 0
    m = max(0, m - int((~ok).sum()))
    if m == 0 or ok.sum() <= m:
        return labels
    A = np.zeros((labels.size, k))
    A[np.flatnonzero(ok), labels[ok]] = 1.0
    A /= np.maximum(A.sum(axis=0), 1.0)
    own = op.matmul(A)[np.flatnonzero(ok), labels[ok]]
    labels[np.flatnonzero(ok)[np.argsort(own)[-m:]]] = -1
    return labels


def _init_factor(n, k, r, labels, rng):
    """Y0 from a labelling: column c is the normalised indicator of cluster c
    (Z0 block diagonal 1/|C|), plus a small positive perturbation in every
    entry so that no coordinate starts on the boundary of Y ≥ 0."""
    Y = rng.uniform(0.0, 1.0, (n, r)) * (0.05 / np.sqrt(n * r / k))
    labels = np.asarray(labels)
    ok = labels >= 0
    counts = np.bincount(labels[ok], minlength=k).astype(float)
    Y[np.flatnonzero(ok), labels[ok]] += 1.0 / np.sqrt(np.maximum(counts[labels[ok]], 1.0))
    return Y


def solve_peng_wei_bm(cost, k, *, robust=False, alpha=0.0, diag_cap=None, rank=None,
                      init_labels=None, tol=1e-5, max_outer=60, max_inner=500,
                      dual_max=2000, beta0=3.0, max_escapes=3, curvature_tol=1e-3,
                      escape_settle=10.0, rng=None):
    """Solve the (robust) Peng–Wei SDP by nonnegative Burer–Monteiro.

    Parameters
    ----------
    cost : DenseCost, LowRankCost or ndarray (n, n)
        The cost D (an array is wrapped in :class:`DenseCost`).
    k : int
        Trace (number of clusters).
    robust : bool
        Robust variant: Z 1 ≤ 1, 1ᵀZ1 ≥ n − ⌊αn⌋, diag Z ≤ ``diag_cap``.
    alpha : float
        Outlier fraction of the robust variant.
    diag_cap : float, optional
        Bound on diag Z (robust only); default :func:`robust_diag_cap`.
    rank : int, optional
        Columns r of Y; default ``k + max(2, k // 2)``.
    init_labels : array of int (n,), optional
        Warm start (e.g. k-means labels; −1 for none); default
        :func:`mds_labels` (k-means on the classical-MDS embedding of D).
    tol : float
        Target primal residual and KKT residual.
    max_outer, max_inner : int
        Augmented-Lagrangian updates and L-BFGS-B iterations per update.
    dual_max : int
        Compute the dual bound (dense, O(n³)) only when n ≤ dual_max.
    beta0 : float
        Initial penalty, in units of :func:`typical_cost`.
    max_escapes : int
        Escape steps tried at most (0: stop at the first stationary point).
        ``max_outer`` bounds the augmented-Lagrangian updates of all of them
        together.
    curvature_tol : float
        A direction with curvature (per unit of ‖w‖², i.e. of trace moved)
        below −``curvature_tol`` × max(|objective|, typical |D_ij|) triggers
        an escape step (each costs one more augmented-Lagrangian run). The
        size of a direction does not predict its gain: on one corrupted problem a
        direction of 7e-4 × |objective| lowered the objective by 0.8 %, on
        the default problem one of 3e-3 × |objective| gained 1e-5, so the
        default only skips directions below 1e-3.
    escape_settle : float
        The re-solve after an escape step also ends, once feasible (primal
        residual ≤ tol) and stationary within ``10 * tol`` (the status
        "optimal"), when an update moves the objective by at most
        ``escape_settle * tol`` relatively: the gain a step must show to be
        kept. After a step the augmented Lagrangian can drift along a flat
        valley, each update lowering the objective by a few tol (measured
        under attack on the default problem: ten updates of 500 L-BFGS-B
        steps each for 4e-4 in all, at the same clustering, half the fit's
        time). 1 gives the plain test (an update within tol).
    rng : None, int or Generator

    Returns
    -------
    BMResult
        ``info`` also holds ``"escapes"`` (steps tried) and ``"curvature"``
        (most negative curvature found at the returned point, in units of
        the typical |D_ij|; 0 when none).

    Raises
    ------
    SolverFailedError
        Non-finite iterates, or constraints violated by more than 1e-2 at the
        end; the message names the solver and the problem size.

    Warns
    -----
    SolverInaccurateWarning
        When the primal or KKT residual ends above ``10 * tol``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.r_[np.zeros(5), np.full(5, 10.0)]
    >>> D = (x[:, None] - x[None, :]) ** 2
    >>> res = solve_peng_wei_bm(D, 2, rng=0)
    >>> round(res.objective, 4), res.status
    (0.0, 'optimal')
    """
    rng = check_rng(rng)
    op = cost if hasattr(cost, "matmul") else DenseCost(cost)
    n = op.n
    k = check_int(k, "k", min_val=1, max_val=n)
    alpha = check_alpha(alpha)
    tol = check_float(tol, "tol", min_val=0.0, include_min=False)
    escape_settle = check_float(escape_settle, "escape_settle", min_val=1.0)
    r = check_int(rank if rank is not None else k + max(2, k // 2), "rank", min_val=k)
    cap = robust_diag_cap(n, alpha) if diag_cap is None else check_float(
        diag_cap, "diag_cap", min_val=0.0, include_min=False)
    if init_labels is not None:
        init_labels = check_array(init_labels, "init_labels", ndim=1, shape=(n,), dtype=int)
    size = f"n={n}, k={k}, rank={r}, {'robust ' if robust else ''}Peng–Wei"
    t0 = time.perf_counter()
    lag = Lagrangian(op, k, robust, alpha, cap)
    if not np.all(np.isfinite(op.matmul(np.ones((n, 1))))):
        raise SolverFailedError(f"Burer–Monteiro solver ({size}): non-finite cost products")
    if init_labels is None:
        init_labels = mds_labels(op, k, rng)
    if robust:
        init_labels = _shed_farthest(op, init_labels, k, int(np.floor(alpha * n)))
    Y = _init_factor(n, k, r, init_labels, rng)
    # the unit of cost (typical |D_ij| / √k, robustly); curvature of the cost
    # and of the row penalty both grow like n, so β is O(1) in these units
    scale = typical_cost(op, k)
    lag.beta = beta0 * scale
    max_outer = check_int(max_outer, "max_outer", min_val=1)
    max_escapes = check_int(max_escapes, "max_escapes", min_val=0)
    curvature_tol = check_float(curvature_tol, "curvature_tol", min_val=0.0)
    escapes = 0
    Y, outer, iters = augmented_lagrangian(lag, Y, tol, scale, max_outer, max_inner, size)
    while True:
        curv, rows, v, kind, col = _bm_escape.curvature(lag, Y, rng)
        gate = curvature_tol * max(scale, abs(lag.objective(Y)))
        if (curv >= -gate or escapes >= max_escapes or outer >= max_outer
                or lag.residual(lag.constraints(Y)[0]) > 10 * tol):
            break
        Yn = _bm_escape.escape(lag, Y, rows, v, kind, col, max_rank=2 * r)
        if Yn is None:
            break
        saved = (lag.objective(Y), {f: np.copy(x) for f, x in lag.lam.items()}, lag.beta)
        # after a step the subproblems sit in flat valleys (fractional rows
        # have no curvature of their own) where L-BFGS-B runs to max_inner at
        # ftol 1e-14 without changing the objective: they also end when the
        # Lagrangian has stalled (see _bm_lagrangian.augmented_lagrangian)
        Yn, o, it = augmented_lagrangian(lag, Yn, tol, scale, max_outer - outer, max_inner,
                                          size, ftol=1e-12, stall=_STALL_WINDOW,
                                          settle=escape_settle * tol)
        outer, iters, escapes = outer + o, iters + it, escapes + 1
        if lag.residual(lag.constraints(Yn)[0]) > 10 * tol or \
                lag.objective(Yn) > saved[0] - 10 * tol * max(1.0, abs(saved[0])):
            lag.lam = {f: (x if np.ndim(x) else float(x)) for f, x in saved[1].items()}
            lag.beta = saved[2]
            break                                   # the step did not pay: keep Y
        Y = _drop_empty(Yn, r)
    DY = op.matmul(Y)
    c, u = lag.constraints(Y)
    res, kkt = lag.residual(c), kkt_residual(lag, Y, DY)
    obj = float(np.sum(Y * DY))
    if not np.isfinite(obj) or res > 1e-2:
        raise SolverFailedError(f"Burer–Monteiro solver ({size}) failed: constraint "
                                f"violation {res:.2e} after {outer} updates")
    status = "optimal" if max(res, kkt) <= 10 * tol else "inaccurate"
    if status == "inaccurate":
        warnings.warn(f"Burer–Monteiro solver ({size}) stopped with primal residual "
                      f"{res:.1e}, KKT residual {kkt:.1e} (tol {tol:.0e})",
                      SolverInaccurateWarning, stacklevel=2)
    bound = _dual_bound(lag, Y) if n <= dual_max else None
    info = {"solver": "BM", "n": n, "k": k, "rank": Y.shape[1], "outer_iterations": outer,
            "escapes": escapes, "curvature": curv / scale,
            "inner_iterations": iters, "penalty": lag.beta, "multipliers": lag.lam,
            "time": time.perf_counter() - t0}
    return BMResult(Y, obj, res, kkt, bound, status, info)


def _drop_empty(Y, r):
    """Y without (numerically) zero columns, keeping at least ``r`` columns;
    Z = Y Yᵀ is unchanged up to rounding."""
    norms = np.sum(Y * Y, axis=0)
    empty = np.flatnonzero(norms <= 1e-20 * max(float(norms.sum()), 1e-300))
    drop = empty[:max(0, Y.shape[1] - r)]
    return np.delete(Y, drop, axis=1) if drop.size else Y


def _dual_bound(lag, Y):
    """c(λ) + Σ_i min(0, min_j N_ij) + k λ_min(M − N) (module docstring); M
    includes the trace multiplier z (and c the term −k z); dense, moderate n."""
    n, lam = lag.n, lag.lam
    M = lag.op.dense().copy()
    M += (lam["rows"][:, None] + lam["rows"][None, :]) / 2
    M[np.diag_indices(n)] += lam["trace"]
    const = -float(np.sum(lam["rows"])) - lag.k * lam["trace"]
    if lag.robust:
        M -= lam["total"]
        M[np.diag_indices(n)] += lam["diag"]
        const += lam["total"] * lag.mass - lag.cap * float(np.sum(lam["diag"]))
    Z = Y @ Y.T
    dg = np.sqrt(np.maximum(np.diag(Z), 1e-300))
    _, lab = connected_components(csr_matrix(Z > 1e-3 * np.outer(dg, dg)), directed=False)
    del Z
    A = np.zeros((n, lab.max() + 1))
    A[np.arange(n), lab] = 1.0
    size = A.sum(axis=0)
    R = (M @ A) / size                           # R_ic = mean of M_ij over j in C_c
    T = (A.T @ M @ A) / np.outer(size, size)
    N = R[:, lab]
    N += N.T
    N -= T[np.ix_(lab, lab)]
    N[lab[:, None] == lab[None, :]] = 0.0
    rows = float(np.sum(np.minimum(N.min(axis=1), 0.0)))
    M -= N
    del N
    low = eigh(M, eigvals_only=True, subset_by_index=[0, 0])
    if low.size == 0:          # syevr may find none where every eigenvalue is the same
        low = eigh(M, eigvals_only=True)
    return const + rows + lag.k * float(low[0])
