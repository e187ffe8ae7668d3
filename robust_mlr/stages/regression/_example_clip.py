"""Bounded influence per example after the task filter: a Huber refit of
every component on its kept tasks, in blocked passes over the pool
(private).

The task filter (:mod:`.robust`) removes tasks whose gradients push
*coherently*: a corrupted task that moves ŵ through several of its examples
raises the gradients' covariance t_i times more than the per-example moment,
its clean reference. A task that carries its whole push on **one** example —
a residual of several s at a large leverage along a direction u, its other
examples clean — has no coherence to see, yet its pull on the least squares
along u is the product of that residual and that leverage, as large as a
coherent task's of the same residual sum of squares. With one such example
in each of ⌊αn⌋ tasks, ŵ of one component moved by 0.78·s (α = 0.05,
p = 1/8, t = 16) and no reading of the filter's stop rule moved.

The refit caps what any one example can pull: the Huber M-estimate of each
component on its kept tasks' examples (weights c_i = min(t_i, t_cap)/t_i as
the filter's), ψ(r) = clip(r, −c ŝ, c ŝ) with ŝ² the component's robust
noise level and c = ``clip``, by iteratively reweighted least squares from
the filter's fit. An example then pulls by at most c ŝ times its leverage,
whatever residual it carries, and a high-leverage example that keeps a large
residual weighs c ŝ/|r| of a clean one in the normal equations. On clean
Gaussian noise the estimate loses ≈ 4 % of the least squares' efficiency
at c = 1.5 (its asymptotic variance is E ψ²/(P(|z| ≤ c))² · s²).

**Leverage along a spike direction (Mallows weights).** The clip bounds
an example's pull by c ŝ times its *leverage*, and the screen leaves one
row a leverage of ≈ √(3d) along a single direction: rows at leverage 8–14
along u whose residual is still at the clip once the fit has moved pull as
least squares would (0.89·s at α = 0.05). Such rows cannot hide what they
do to the component's covariate second moment: n_a rows at leverage A
along u raise it there by n_a A²/n, where a clean component's sits at the
other components' (their rows share the covariate law). So each
component's second moment is compared with the other components' pooled
(:func:`spike_directions`); along every direction e where it exceeds
theirs by :data:`SPIKE`, a row of the component at |x·e| beyond
``leverage_cap`` times their RMS weighs (leverage_cap/|x·e|)² in the
refit (a Mallows GM-estimate: Σ_j c_i m_j ψ(r_j) x_j = 0). A row then
pulls by at most ≈ leverage_cap · c ŝ along e.

**The reach follows the spike's mass.** A fixed reach leaves every row
*at* it its whole clipped pull, and the adversary multiplies rows per task
instead of leverage: eight rows per task at 4 RMS moved a component by
0.69·s (α = 0.05, p = 1/8, t = 16), the spike along u plain to see. So
once a spike direction is found, one pass counts the component's rows and
the other components' by |x·e| (bins of 0.05 RMS, :class:`_SpikeMass`),
and the direction's reach a is the largest bin edge up to
``leverage_cap`` at which — and at every edge below it — the component's
mean of min((x·e)², a²) stays within :data:`SPIKE` times the others'. The
weights min(1, a²/(x·e)²) make the component's weighted second moment
along e exactly that truncated mean, so rows that raise it, at any
leverage, lose weight until it is back within the others' allowance: on
the red team's rows the reach fell to 1.25 RMS. Mallows weights depend on
x alone, so on clean data they cost efficiency along e, never bias. Clean
components of the problems measured have no spike direction, and the
refit is the Huber estimate itself; where a covariate law's classes
differ along some direction, or a small component's Gram matrix strays
past 1.15 by chance, its rows there lose weight beyond a reach of about
2 RMS (nothing is removed or flagged).

**Cost.** Each IRLS step is one pass over the pool's rows (the residuals);
only the rows with |r| > c ŝ (≈ 13 % of a clean component's at c = 1.5)
or a Mallows weight below one enter a downdate of the kept tasks' normal
equations, which the filter has summed already; a spike direction adds
one pass (its mass is counted during a step, its reach weighs from the
next). Steps stop when no
component's ŵ moves by more than half its standard error ŝ √(d/n): on
clean data least squares and the Huber estimate differ by a fraction of
their noise, so the first step is usually the last (one pass on the
default problem, two at 10⁶ tasks per pool, where a small systematic
difference outgrows the shrinking noise).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ..._linalg import gram_solve
from ..._segments import task_blocks
from ...exceptions import ConvergenceWarning


def clipped_refit(data, labels, kept, W, s2, t_cap, grams, rhs, clip=1.5, leverage_cap=4.0,
                  tol=0.5, max_iter=30):
    """Huber refit of each component on its kept tasks.

    Parameters
    ----------
    data : MetaDataset
        The pool.
    labels : ndarray of int (n,)
        Each task's component (−1: none), as classified.
    kept : ndarray of bool (n,)
        The tasks the filter kept (only they enter the fit).
    W : ndarray (d, k)
        The filter's fits (NaN columns: components left unfitted).
    s2 : ndarray (k,)
        Each component's robust noise level ŝ².
    t_cap : float
    grams, rhs : ndarray (k, d, d), (k, d) or None
        The kept tasks' normal equations Σ c_i x_j x_jᵀ, Σ c_i y_j x_j (summed
        here when None).
    clip : float
        c: residuals are clipped at c ŝ.
    leverage_cap : float or None
        The largest reach: rows beyond a spike direction's reach a (in RMS
        of the other components' rows, read from the spike's mass and at
        most ``leverage_cap``) are weighed (a/|x·e|)²; None: no Mallows
        weights.
    tol : float
        Stop when no ŵ_ℓ moves by more than ``tol`` times its standard
        error ŝ_ℓ √(d/n_ℓ) (n_ℓ: the component's kept examples, weighted by
        c_i; at least √eps (1 + ‖ŵ_ℓ‖), for noise-free components): each
        later step moves it by about a tenth of the one before (the IRLS
        contraction on clean Gaussian noise, E[c/|z|; |z| > c] /
        E[min(1, c/|z|)] = 0.11 at c = 1.5; slower where high-leverage rows
        sit just beyond the clip), far below its noise.
    max_iter : int

    Returns
    -------
    W : ndarray (d, k)
    info : dict
        ``iterations``, ``clipped`` (share of the kept examples with a
        weight below one at the fit the last step started from, per
        component), ``spikes`` (the number of spike directions per
        component), ``reach`` (each spike direction's reach, in component
        order) and ``cpu_seconds`` (the refit's process time).
    """
    cpu = time.process_time()
    off, d, k = data.offsets, data.dim, W.shape[1]
    on = np.isfinite(W).all(axis=0) & np.isfinite(s2) & (s2 > 0)
    if not on.any():                             # nothing to refit: no pass
        return W, {"iterations": 0, "clipped": [0.0] * k, "spikes": [0] * k, "reach": [],
                   "cpu_seconds": time.process_time() - cpu}
    W = W.copy()
    scale = clip * np.sqrt(np.where(on, s2, 1.0))
    # each task's component (−1: not classified or not kept) and weight c_i,
    # spread over its rows block by block (no per-row array of the pool)
    sizes = np.diff(off)
    t = sizes.astype(float)
    task_lab = np.where(kept, labels, -1)
    task_c = np.minimum(t, t_cap) / t
    blocks = task_blocks(off, data._row_bytes)
    buf = np.empty(max((int(off[e] - off[a]) for a, e in blocks), default=0) * d)
    if grams is None:
        grams, rhs = np.zeros((k, d, d)), np.zeros((k, d))
        summed = False
    else:
        grams, rhs = np.asarray(grams, dtype=float), np.asarray(rhs, dtype=float)
        summed = True
    # the steps' yardstick: each component's standard error ŝ √(d/n)
    n_eff = np.bincount(task_lab[task_lab >= 0], weights=(t * task_c)[task_lab >= 0],
                        minlength=k)
    se = np.sqrt(np.where(on, s2, 1.0) * d / np.maximum(n_eff, 1.0))
    # floored at √eps of ‖ŵ‖: a noise-free component's ŝ is rounding, and so
    # is every step it takes (it would run max_iter passes and warn)
    se = np.maximum(se, np.sqrt(np.finfo(float).eps)
                    * (1.0 + np.linalg.norm(np.where(on, W, 0.0), axis=0)))
    E, owner = (spike_directions(grams, n_eff, on) if summed and leverage_cap is not None
                else (np.zeros((d, 0)), np.zeros(0, dtype=int)))
    # each spike direction's reach: leverage_cap until its mass is read
    reach, hist, read = np.full(owner.size, float(leverage_cap or 0.0)), None, False
    it, moved = 0, np.inf
    for it in range(1, max_iter + 1):
        if owner.size and not read:              # this pass reads the spikes' mass
            hist = _SpikeMass(owner, leverage_cap)
        dG, db = np.zeros((k, d, d)), np.zeros((k, d))
        G_all = None if summed else (np.zeros((k, d, d)), np.zeros((k, d)))
        n_clip, n_rows = np.zeros(k), np.zeros(k)
        Wz = np.where(on, W, 0.0)
        for a, e in blocks:                      # one pass: residuals, clipped rows
            lo, hi = int(off[a]), int(off[e])
            X, y = data._block(lo, hi, buf)
            lab = np.repeat(task_lab[a:e], sizes[a:e])
            cw = np.repeat(task_c[a:e], sizes[a:e])
            mine = lab >= 0
            # every row's residual under its own component: one X W (N_b × k)
            own = np.maximum(lab, 0)
            r = y - (X @ Wz)[np.arange(lab.size), own]
            if G_all is not None:
                for c in range(k):               # loop over components only
                    sel = np.flatnonzero(lab == c)
                    Xk = X[sel] * np.sqrt(cw[sel])[:, None]
                    G_all[0][c] += Xk.T @ Xk
                    G_all[1][c] += Xk.T @ (y[sel] * np.sqrt(cw[sel]))
            u = np.minimum(1.0, scale[own] / np.maximum(np.abs(r), 1e-300))
            if owner.size:
                # Mallows weights along the row's own component's spike
                # directions (the other components' columns left at one)
                XE2 = (X @ E) ** 2
                if hist is not None:
                    hist.add(XE2, lab, cw, on)
                T = np.minimum(1.0, reach ** 2 / np.maximum(XE2, 1e-300))
                T[owner[None, :] != lab[:, None]] = 1.0
                u *= T.min(axis=1)
            big = mine & (u < 1.0) & on[own]
            n_rows += np.bincount(lab[mine], minlength=k)
            if not big.any():
                continue
            # the clipped rows in component order: one gather, then a run per
            # component; the IRLS weight u = c ŝ/|r| < 1 takes (1 − u) c_i of
            # each row out of the normal equations (rows scaled by its root)
            rows = np.flatnonzero(big)
            rows = rows[np.argsort(lab[rows], kind="stable")]
            lb = lab[rows]
            n_clip += np.bincount(lb, minlength=k)
            root = np.sqrt((1.0 - u[rows]) * cw[rows])
            Z = np.take(X, rows, axis=0)
            Z *= root[:, None]
            zy = y[rows] * root
            runs = np.searchsorted(lb, np.arange(k + 1))
            for c in range(k):                   # loop over components only
                z0, z1 = runs[c], runs[c + 1]
                if z1 > z0:
                    dG[c] += Z[z0:z1].T @ Z[z0:z1]
                    db[c] += Z[z0:z1].T @ zy[z0:z1]
        fresh = False
        if hist is not None:                     # the spikes' mass is read: their reach
            reach, hist, read = hist.reach(), None, True
            fresh = bool((reach < leverage_cap).any())
        if G_all is not None:                    # summed here: the spikes can be read now
            grams, rhs, summed = G_all[0], G_all[1], True
            if leverage_cap is not None:
                E, owner = spike_directions(grams, n_eff, on)
                reach, read = np.full(owner.size, float(leverage_cap)), False
                fresh = owner.size > 0           # the next step must weigh by them
        share = n_clip / np.maximum(n_rows, 1)
        moved = 0.0
        for c in np.flatnonzero(on):
            w = gram_solve(grams[c] - dG[c], rhs[c] - db[c])
            if w is None:                        # the weighted Gram lost its rank
                warnings.warn(f"the clipped refit of component {c} kept the filter's fit: its "
                              f"weighted normal equations are not positive definite "
                              f"(d={d}, {int(n_eff[c])} weighted examples)",
                              ConvergenceWarning, stacklevel=3)
                on[c] = False
                continue
            moved = max(moved, float(np.linalg.norm(w - W[:, c]) / se[c]))
            W[:, c] = w
        if moved <= tol and not fresh:
            break
    else:
        warnings.warn(f"the clipped refit stopped at max_iter={max_iter} with a step of "
                      f"{moved:.3g} standard errors (tol {tol:g})", ConvergenceWarning,
                      stacklevel=3)
    return W, {"iterations": it, "clipped": share.round(4).tolist(),
               "spikes": np.bincount(owner, minlength=k).tolist(),
               "reach": [round(float(a), 3) for a in reach],
               "cpu_seconds": time.process_time() - cpu}




#: A component's covariate second moment beyond this multiple of the other
#: components' along a direction makes it a spike direction of the component.
SPIKE = 1.15


def spike_directions(grams, n_eff, on):
    """Directions along which a component's covariate second moment exceeds
    the other components' by :data:`SPIKE`.

    Parameters
    ----------
    grams : ndarray (k, d, d)
        Σ c_i x_j x_jᵀ over each component's kept rows.
    n_eff : ndarray (k,)
        Σ c_i over the same rows.
    on : ndarray of bool (k,)
        The components fitted.

    Returns
    -------
    E : ndarray (d, P)
        The directions e, scaled so that the other components' rows have
        unit second moment along each (x·e is in units of their RMS).
    owner : ndarray of int (P,)
        The component each direction belongs to.
    """
    d = grams.shape[1]
    cols, owner = [], []
    total, n_total = grams[on].sum(axis=0), float(n_eff[on].sum())
    for c in np.flatnonzero(on):                 # loop over components only
        n_rest = n_total - float(n_eff[c])
        if n_rest <= d:                          # no other component to compare with
            continue
        try:
            L = np.linalg.cholesky((total - grams[c]) / n_rest)
        except np.linalg.LinAlgError:
            continue
        B = np.linalg.solve(L, np.linalg.solve(L, grams[c] / float(n_eff[c])).T)
        lam, V = np.linalg.eigh((B + B.T) / 2)
        for i in np.flatnonzero(lam > SPIKE):
            cols.append(np.linalg.solve(L.T, V[:, i]))
            owner.append(c)
    if not cols:
        return np.zeros((d, 0)), np.zeros(0, dtype=int)
    return np.column_stack(cols), np.asarray(owner)


#: Width, in the other components' RMS, of the bins in which a spike
#: direction's leverage is counted, and the smallest reach a spike can get.
_BIN, _MIN_REACH = 0.05, 0.5


class _SpikeMass:
    """The component's and the other components' rows along each spike
    direction, counted by |x·e| in bins of :data:`_BIN` up to the cap (the
    last bin holds every row beyond), with their weights c_i and second
    moments: enough to give each direction its reach (:meth:`reach`)."""

    def __init__(self, owner, cap):
        self.owner, self.cap = owner, float(cap)
        self.bins = int(np.ceil(self.cap / _BIN))
        shape = (owner.size, 2, self.bins + 1)
        self.S = np.zeros(shape)                 # Σ c (x·e)²: own rows, the others'
        self.N = np.zeros(shape)                 # Σ c

    def add(self, XE2, lab, cw, on):
        """Count one block's rows (XE2: their (x·e)², N_b × P)."""
        fitted = (lab >= 0) & on[np.maximum(lab, 0)]
        idx = np.minimum((np.sqrt(XE2) / _BIN).astype(np.int64), self.bins)
        for p in range(self.owner.size):         # loop over spike directions only
            own = lab == self.owner[p]
            for g, rows in enumerate((own, fitted & ~own)):
                b = idx[rows, p]
                self.S[p, g] += np.bincount(b, weights=cw[rows] * XE2[rows, p],
                                            minlength=self.bins + 1)
                self.N[p, g] += np.bincount(b, weights=cw[rows], minlength=self.bins + 1)

    def reach(self):
        """Each direction's reach a: the largest bin edge up to the cap at
        which, and at every edge below it, the component's mean of
        min((x·e)², a²) is within :data:`SPIKE` times the other
        components' (at least :data:`_MIN_REACH`)."""
        a = np.minimum(np.arange(1, self.bins + 1) * _BIN, self.cap)   # the edges
        total = np.maximum(self.N.sum(axis=2, keepdims=True), 1e-300)
        # at edge a: the bins below it whole, a² for every row beyond
        below = np.cumsum(self.S, axis=2)[..., :-1]
        beyond = total - np.cumsum(self.N, axis=2)[..., :-1]
        T = (below + a ** 2 * beyond) / total
        ok = T[:, 0] <= SPIKE * T[:, 1]          # (P, edges)
        good = np.where(ok.all(axis=1), a.size, np.argmin(ok, axis=1))   # edges passed
        return np.maximum(np.where(good > 0, a[np.maximum(good - 1, 0)], 0.0), _MIN_REACH)
