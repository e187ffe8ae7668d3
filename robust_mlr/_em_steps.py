"""E- and M-steps of EM for a mixture of linear regressions in which all
examples of a task share one latent component (private).

One implementation serves the heavy-task clustering stage
(:mod:`robust_mlr.stages.clustering.em`, covariates projected on a working
basis) and the full-learner baseline (:mod:`robust_mlr.baselines.em`, raw
covariates). Both see the data only through a *task-statistics* object with

* ``rss(B)`` — the (n × k) residual sums ‖y_i − Z_i β_ℓ‖², and
* ``normal(gamma)`` — the per-component normal equations
  (Σ_i γ_iℓ Z_iᵀZ_i, Σ_i γ_iℓ Z_iᵀy_i), shapes (k, q, q) and (k, q),

built once per fit by :func:`task_statistics` in one of two layouts:

* :class:`GramStats` — the sufficient statistics A_i = Z_iᵀZ_i, b_i = Z_iᵀy_i,
  c_i = y_iᵀy_i of every task (memory n q²); then
  RSS_iℓ = c_i − 2 b_iᵀβ_ℓ + β_ℓᵀA_iβ_ℓ and each step costs O(n q² k),
  independent of the task sizes;
* :class:`ExampleStats` — the examples themselves with a sparse task
  indicator (memory N q, the data's own); each step costs O(N q k).

``"auto"`` takes the Gram layout unless it would need more than four times
the memory of Z (q > 4 t̄) and more than 4·10⁶ numbers.

The E-step is a log-sum-exp over components of

    L_iℓ = log p_ℓ − RSS_iℓ / (2σ_ℓ²) − (t_i / 2) log(2π σ_ℓ²),

the M-step a weighted least squares per component, the ML noise variance
σ_ℓ² = Σ_i γ_iℓ RSS_iℓ / Σ_i γ_iℓ t_i (floored) and p_ℓ ∝ Σ_i γ_iℓ. With the
optional trimming (:func:`run_em`, ``trim`` = m > 0) every E-step drops the
m tasks of lowest mixture log-likelihood per example before the M-step:
trimmed-likelihood EM (Neykov, Filzmoser, Dimova, Neytchev 2007).
"""

from __future__ import annotations

import numpy as np
from ._segments import Segments

_GRAM_MIN_NUMBERS = 4_000_000


class GramStats:
    """Per-task sufficient statistics (A_i, b_i, c_i, t_i) of (Z, y)."""

    def __init__(self, Z, y, data):
        sizes = data.sizes
        n, q = sizes.size, Z.shape[1]
        if n and np.all(sizes == sizes[0]):           # equal sizes: one reshape, no scatter
            Zt, yt = Z.reshape(n, sizes[0], q), y.reshape(n, sizes[0])
            self.A = np.einsum("itq,itr->iqr", Zt, Zt)
            self.b = np.einsum("itq,it->iq", Zt, yt)
            self.c = np.einsum("it,it->i", yt, yt)
        else:
            seg = Segments(data)
            self.A = seg.sum(Z[:, :, None] * Z[:, None, :])
            self.b = seg.sum(Z * y[:, None])
            self.c = seg.sum(y * y)
        self.t = sizes.astype(float)
        self.q = q

    def rss(self, B):
        """Residual sums (n, k) of every task under every column of B (q, k)."""
        q, k = B.shape
        BB = (B[:, None, :] * B[None, :, :]).reshape(q * q, k)      # β_qℓ β_rℓ
        quad = self.A.reshape(-1, q * q) @ BB                        # one GEMM: β_ℓᵀA_iβ_ℓ
        return np.maximum(self.c[:, None] - 2 * self.b @ B + quad, 0.0)

    def normal(self, gamma):
        """Weighted normal equations (k, q, q), (k, q)."""
        k, q = gamma.shape[1], self.q
        G = (gamma.T @ self.A.reshape(-1, q * q)).reshape(k, q, q)
        return G, gamma.T @ self.b


class ExampleStats:
    """The examples (Z, y) with a sparse task indicator."""

    def __init__(self, Z, y, data):
        self.Z, self.y = Z, y
        self.seg = Segments(data)
        self.t = data.sizes.astype(float)
        self.q = Z.shape[1]

    def rss(self, B):
        """Residual sums (n, k) of every task under every column of B (q, k)."""
        return self.seg.sum((self.y[:, None] - self.Z @ B) ** 2)

    def normal(self, gamma):
        """Weighted normal equations (k, q, q), (k, q); loops over components only."""
        k, q = gamma.shape[1], self.q
        G, h = np.empty((k, q, q)), np.empty((k, q))
        for ell in range(k):
            Zg = self.Z * gamma[self.seg.index, ell][:, None]
            G[ell], h[ell] = Zg.T @ self.Z, Zg.T @ self.y
        return G, h


def task_statistics(Z, y, data, layout="auto"):
    """Task statistics of (Z, y) for the tasks of ``data`` ("gram", "examples" or "auto")."""
    if layout == "auto":
        n, q = data.n_tasks, Z.shape[1]
        small = n * q * q <= max(4 * Z.size, _GRAM_MIN_NUMBERS)
        layout = "gram" if small else "examples"
    return (GramStats if layout == "gram" else ExampleStats)(Z, y, data)


def log_terms(stats, B, s2, p, rss=None):
    """L_iℓ = log p_ℓ + log N(y_i; Z_i β_ℓ, σ_ℓ² I), shape (n, k)."""
    rss = stats.rss(B) if rss is None else rss
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    return -rss / (2 * s2) - 0.5 * stats.t[:, None] * np.log(2 * np.pi * s2) + logp


def m_step(stats, gamma, floor, ridge=1e-10):
    """Weighted least squares per component, ML variances (≥ ``floor``) and
    weights from responsibilities ``gamma`` (n, k) (rows of zeros drop a task).

    A component with no mass keeps β = 0, σ² = floor and p = 0 (it can then
    take no responsibility). ``ridge`` · tr(G_ℓ)/q on the diagonal only guards
    against exact singularity. Returns (B (q, k), s2 (k,), p (k,), and the
    residual sums (n, k) at B).
    """
    G, h = stats.normal(gamma)
    q = stats.q
    lam = ridge * np.trace(G, axis1=1, axis2=2) / q + 1e-300
    B = np.linalg.solve(G + lam[:, None, None] * np.eye(q), h[:, :, None])[:, :, 0].T
    mass = gamma.T @ stats.t
    rss = stats.rss(B)
    resid = np.einsum("ik,ik->k", gamma, rss)
    s2 = np.maximum(np.divide(resid, mass, out=np.zeros_like(resid), where=mass > 0), floor)
    col = gamma.sum(axis=0)
    return B, s2, col / col.sum(), rss


def _score(L, t, trim, weights):
    """Per-task mixture log-likelihoods, the kept mask (the ``trim`` tasks of
    lowest log-likelihood per example dropped), the objective over the kept
    tasks and the M-step weights γ_iℓ · weights_i (zero rows for dropped tasks)."""
    top = L.max(axis=1)
    E = np.exp(L - top[:, None])
    tot = E.sum(axis=1)
    norm = top + np.log(tot)
    kept = np.ones(L.shape[0], bool)
    if trim:
        kept[np.argpartition(norm / t, trim - 1)[:trim]] = False
    gamma = E * ((kept if weights is None else kept * weights) / tot)[:, None]
    return float(norm[kept].sum()), kept, gamma


def run_em(stats, start, *, max_iter, tol, floor, trim=0, weights=None):
    """EM (trimmed if ``trim`` > 0) from ``start`` = (B, s2, p).

    ``weights`` (n,), optional, multiply every task's responsibilities in the
    M-step (a task-size cap bounds a large task's influence). Stops when the
    (trimmed) log-likelihood rises by less than ``tol`` per kept example, or
    after ``max_iter`` M-steps. Returns a dict with ``B``, ``s2``, ``p``,
    ``L`` (the log terms at the returned parameters), ``gamma`` (the M-step
    weights at them), ``kept``, ``log_likelihood``, ``trace`` (objective
    before the first and after every M-step), ``n_iter`` (M-steps) and
    ``converged``.
    """
    B, s2, p = start
    L = log_terms(stats, B, s2, p)
    ll, kept, gamma = _score(L, stats.t, trim, weights)
    trace, converged, it = [ll], False, 0
    for it in range(1, max_iter + 1):
        B, s2, p, rss = m_step(stats, gamma, floor)
        L = log_terms(stats, B, s2, p, rss)
        ll_new, kept, gamma = _score(L, stats.t, trim, weights)
        trace.append(ll_new)
        gain, ll = ll_new - ll, ll_new
        if gain < tol * stats.t[kept].sum():
            converged = True
            break
    return {"B": B, "s2": s2, "p": p, "L": L, "gamma": gamma, "kept": kept,
            "log_likelihood": ll, "trace": trace, "n_iter": it, "converged": converged}
