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

**Cost.** Each IRLS step is one pass over the pool's rows (the residuals);
only the rows with |r| > c ŝ (≈ 13 % of a clean component's at c = 1.5)
enter a downdate of the kept tasks' normal equations, which the filter has
summed already. Steps stop when no component's ŵ moves by more than
``tol`` · ŝ.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._linalg import gram_solve
from ..._segments import task_blocks
from ...exceptions import ConvergenceWarning
from ._passes import block_weights, label_order


def clipped_refit(data, labels, kept, W, s2, t_cap, grams, rhs, clip=1.5, tol=1e-3,
                  max_iter=20):
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
    tol : float
        Stop when every ŵ moves by at most tol · ŝ.
    max_iter : int

    Returns
    -------
    W : ndarray (d, k)
    info : dict
        ``iterations`` and ``clipped`` (share of the kept examples clipped
        at the final fit, per component).
    """
    off, d, k = data.offsets, data.dim, W.shape[1]
    on = np.isfinite(W).all(axis=0) & np.isfinite(s2) & (s2 > 0)
    lab = np.where(kept, labels, -1)
    W = W.copy()
    scale = clip * np.sqrt(np.where(on, s2, 1.0))
    blocks = task_blocks(off, data._row_bytes)
    size = max((int(off[e] - off[a]) for a, e in blocks), default=0) * d
    rows_buf = (np.empty(size), np.empty(size))
    if grams is None:
        grams, rhs = np.zeros((k, d, d)), np.zeros((k, d))
        summed = False
    else:
        grams, rhs = np.asarray(grams, dtype=float), np.asarray(rhs, dtype=float)
        summed = True
    share = np.zeros(k)
    it = 0
    for it in range(1, max_iter + 1):
        dG, db = np.zeros((k, d, d)), np.zeros((k, d))
        G_all = None if summed else (np.zeros((k, d, d)), np.zeros((k, d)))
        n_clip, n_rows = np.zeros(k), np.zeros(k)
        Wz = np.where(on, W, 0.0)
        for a, e in blocks:                      # one pass: residuals, clipped rows
            lo = off[a]
            tasks, order, edges = label_order(lab[a:e], off[a:e + 1] - lo, k)
            Xs, ys = data._block_rows(lo, off[e], order, rows_buf)
            sizes, _, c_task, _ = block_weights(off, a, e, t_cap)
            ts = sizes[tasks]
            r = np.zeros(order.size)
            cw = np.repeat(c_task[tasks], ts)
            for c in range(k):                   # loop over components only
                r0, r1 = edges[c + 1], edges[c + 2]
                if r1 <= r0:
                    continue
                Xc, yc = Xs[r0:r1], ys[r0:r1]
                np.subtract(yc, Xc @ Wz[:, c], out=r[r0:r1])
                if G_all is not None:
                    Xk = Xc * np.sqrt(cw[r0:r1])[:, None]
                    G_all[0][c] += Xk.T @ Xk
                    G_all[1][c] += Xk.T @ (yc * np.sqrt(cw[r0:r1]))
                if not on[c]:
                    continue
                big = np.abs(r[r0:r1]) > scale[c]
                n_clip[c] += big.sum()
                n_rows[c] += r1 - r0
                if big.any():
                    # the IRLS weight u = c ŝ/|r| < 1: the normal equations
                    # lose (1 − u) c_i of each such row
                    lose = (1.0 - scale[c] / np.abs(r[r0:r1][big])) * cw[r0:r1][big]
                    Xb = Xc[big]
                    dG[c] += (Xb * lose[:, None]).T @ Xb
                    db[c] += Xb.T @ (yc[big] * lose)
        if G_all is not None:
            grams, rhs, summed = G_all[0], G_all[1], True
        share = n_clip / np.maximum(n_rows, 1)
        moved = 0.0
        for c in np.flatnonzero(on):
            w = gram_solve(grams[c] - dG[c], rhs[c] - db[c])
            if w is None:
                continue
            moved = max(moved, float(np.linalg.norm(w - W[:, c]) / np.sqrt(s2[c])))
            W[:, c] = w
        if moved <= tol:
            break
    else:
        warnings.warn(f"the clipped refit stopped at max_iter={max_iter} with a step of "
                      f"{moved:.3g} s (tol {tol:g})", ConvergenceWarning, stacklevel=3)
    return W, {"iterations": it, "clipped": share.round(4).tolist()}
