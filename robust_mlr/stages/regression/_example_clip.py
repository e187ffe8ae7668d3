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

**Weights by density along a spike direction.** A cap at a fixed
leverage leaves every row *under* it its whole clipped pull, and the
adversary multiplies rows per task instead of leverage: eight rows per
task at 4 RMS moved a component by 0.69·s (α = 0.05, p = 1/8, t = 16),
the spike along u plain to see. A reach read from the spike's mass (the
largest a at which the component's mean of min((x·e)², a²) stays within
the allowance) cut that to 0.38·s, but it also weighs every clean row
beyond a (a class twice as wide along e lost three quarters of its
precision there) and lowering it is not monotone protection (rows just
under a low reach pull against a stiffness that falls faster than their
pull). So, once a spike direction is found, one pass counts the
component's rows and the other components' by |x·e| (bins of 0.05 RMS up
to ``leverage_cap``, the last bin every row beyond; weights c_i;
:class:`._spike_mass.SpikeMass`) and each bin weighs the component's rows in it by
min(1, SPIKE · f_o/f_c), f_c and f_o the component's and the others'
shares of their rows in the bin — in the bin and beyond it where the
others have fewer than :data:`._spike_mass._MIN_COUNT` rows there, so that a thin tail
is compared as a whole. Only the excess over the others' density, with
the same 15 % allowance as the detection, loses weight, wherever it sits;
the clean rows of a bin keep the stiffness they give. On the seventh moment
red team's pools the refit then lands 0.08·s from w (0.69 with a fixed
cap). The weights depend on x and on the labels, not on the residuals;
but the labels were read from y as well, so along a direction the
classification reads, such as w_1 − w_0, reweighing by x changes the
classification's bias on clean data (with the mass-read reach, on a clean
two-component problem at t = 2, the error along w_1 − w_0 went from
−0.099 to −0.107 and −0.138 at reaches of 2 and 1.25 RMS; across it
nothing moved). Clean components of the problems measured have no spike
direction, and the refit is the Huber estimate itself; where a covariate
law's classes differ along some direction, or a small component's Gram
matrix strays past 1.15 by chance, the rows in the bins where its density
exceeds the others' by more than 15 % lose weight (nothing is removed or
flagged). Beyond ``leverage_cap`` a row also keeps the fixed Mallows
weight (leverage_cap/|x·e|)².

**Cost.** Each IRLS step is one pass over the pool's rows (the residuals);
only the rows with |r| > c ŝ (≈ 13 % of a clean component's at c = 1.5)
or a Mallows weight below one enter a downdate of the kept tasks' normal
equations, which the filter has summed already; spike directions add
one pass that counts their rows before the first step (found only after
a step, where the filter's normal equations were not given, they are
counted during the next and weigh from the one after). Steps stop when no
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
from ..._segments import label_sort, task_blocks
from ...exceptions import ConvergenceWarning
from ._clipped_test import orthonormal, ratio_edge
from ._readings import Readings, nothing_read
from ._spike_mass import SPIKE, SpikeMass, count_spikes, spike_row_weights, squared_projections
from ._task_clip import task_score_weights


def clipped_refit(data, labels, kept, W, s2, t_cap, grams, rhs, clip=1.5, leverage_cap=4.0,
                  tol=0.5, max_iter=30, directions=None, sample=None, leverage_dirs=None,
                  task_clip=None):
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
        Along a spike direction, rows beyond this many RMS of the other
        components' rows weigh (leverage_cap/|x·e|)², and the density
        weights count rows in bins of 0.05 RMS up to it (the last bin: every
        row beyond); None: no Mallows weights.
    tol : float
        Stop when no ŵ_ℓ moves by more than ``tol`` times its standard
        error ŝ_ℓ √(d/n_ℓ) (n_ℓ: the component's kept examples, weighted by
        c_i; at least √eps (1 + ‖ŵ_ℓ‖), for noise-free components): each
        later step moves it by about a tenth of the one before (the IRLS
        contraction on clean Gaussian noise, E[c/|z|; |z| > c] /
        E[min(1, c/|z|)] = 0.11 at c = 1.5; slower where high-leverage rows
        sit just beyond the clip), far below its noise.
    max_iter : int
    directions : list of ndarray (d, m_c), optional
        Per component, directions along which the first pass also reads the
        filter's stopping rule on clipped scores (:mod:`._clipped_test`),
        with the component's spike directions; None: not read.
    sample : ndarray of bool (n,), optional
        The tasks those readings read, and those whose rows count the spike
        directions' densities (:func:`._spike_mass.count_spikes`; None: all).
    leverage_dirs : list of ndarray (d, i_c), optional
        Per component, unit directions weighed as spike directions as well
        (where its per-example moment is inflated: rows there carry
        leverage that a second moment spread over the task's other rows
        hides from :func:`spike_directions`).
    task_clip : float or None
        κ: each task's clipped score along its component's ``directions``
        beyond κ times its clean standard deviation weighs the task's rows
        down to it (:mod:`._task_clip`); None, or no ``directions``: off.

    Returns
    -------
    W : ndarray (d, k)
    info : dict
        ``iterations``, ``clipped`` (share of the kept examples with a
        residual or Mallows weight below one at the fit the last step
        started from, per component), ``task_weighed`` (the same share for
        the task-score weights of :mod:`._task_clip`), ``spikes`` (the
        number of spike directions per component), ``excess`` (per
        component, the share of its weight each of its spike directions'
        density weights take), ``moved_se`` (each
        component's distance from the filter's fit in standard errors),
        ``clipped_test`` and ``score_test`` (per component, the clipped
        reading's and the refit's own scores' top eigenvalue over their
        edge, :mod:`._clipped_test`), ``read`` (the directions read) and
        ``unread`` (component → why a reading could not read it; with
        ``directions`` only: :class:`._readings.Readings`) and
        ``cpu_seconds``. A refit that lost the rank its kept rows had (more
        than d kept tasks) keeps its fit, at ``moved_se`` +inf.
    """
    cpu = time.process_time()
    off, d, k = data.offsets, data.dim, W.shape[1]
    on = np.isfinite(W).all(axis=0) & np.isfinite(s2) & (s2 > 0)
    if not on.any():                             # nothing to refit: no pass
        return W, {"iterations": 0, "clipped": [0.0] * k, "task_weighed": [0.0] * k,
                   "spikes": [0] * k,
                   "excess": [[] for _ in range(k)], "moved_se": [0.0] * k,
                   **({} if directions is None else nothing_read(W)),
                   "cpu_seconds": time.process_time() - cpu}
    W0, W = W, W.copy()
    # the components read: those with a fit and a noise level (a component
    # whose refit loses its rank keeps its fit and is still read there)
    live, lost = on.copy(), np.zeros(k, bool)
    scale = clip * np.sqrt(np.where(on, s2, 1.0))
    # each task's component (−1: not classified or not kept) and weight c_i,
    # spread over its rows block by block (no per-row array of the pool)
    sizes = np.diff(off)
    t = sizes.astype(float)
    task_lab = np.where(kept, labels, -1)
    task_c = np.minimum(t, t_cap) / t
    blocks = task_blocks(off, data._row_bytes)
    n_max = max((int(off[e] - off[a]) for a, e in blocks), default=0)
    # a block's rows, and each row's first entry in its X W (flattened)
    buf, at = np.empty(n_max * d), np.arange(n_max) * k
    if grams is None:
        grams, rhs = np.zeros((k, d, d)), np.zeros((k, d))
        summed = False
    else:
        grams, rhs = np.asarray(grams, dtype=float), np.asarray(rhs, dtype=float)
        summed = True
    # the steps' yardstick: each component's standard error ŝ √(d/n)
    n_eff = np.bincount(task_lab[task_lab >= 0], weights=(t * task_c)[task_lab >= 0],
                        minlength=k)
    kept_tasks = np.bincount(task_lab[task_lab >= 0], minlength=k)
    # the kept rows of each component (the share clipped is over them)
    n_rows = np.bincount(task_lab[task_lab >= 0], weights=sizes[task_lab >= 0], minlength=k)
    se = np.sqrt(np.where(on, s2, 1.0) * d / np.maximum(n_eff, 1.0))
    # floored at √eps of ‖ŵ‖: a noise-free component's ŝ is rounding, and so
    # is every step it takes (it would run max_iter passes and warn)
    se = np.maximum(se, np.sqrt(np.finfo(float).eps)
                    * (1.0 + np.linalg.norm(np.where(on, W, 0.0), axis=0)))
    E, owner = (_joined(spike_directions(grams, n_eff, on), leverage_dirs, on, n_eff)
                if summed and leverage_cap is not None
                else (np.zeros((d, 0)), np.zeros(0, dtype=int)))
    # each spike direction's density weights by bin of |x·e| (None until
    # the pass that counts them) and the share of the component they take
    table, hist, excess, counted = None, None, np.zeros(owner.size), None
    if owner.size:                               # a pass counts the spikes' rows first
        table, excess, counted = count_spikes(data, blocks, buf, E, owner, task_lab, task_c,
                                              live, leverage_cap, sample)
    # the gradient tests along each component's directions: the first pass
    # on clipped products (at the filter's fit), every pass on the refit's
    # own scores u_j r_j (x_j·v) (the last pass's, at the fit that pass
    # started from: the filter's after one pass, else within tol standard
    # errors of the returned fit)
    reads = None if directions is None else Readings(directions, E, owner, W0, s2, on, task_lab,
                                                      off, sample, bool(np.all(task_c == 1.0)))
    # each component's read directions, orthonormal: the tasks' scores along them
    frames = (None if directions is None or task_clip is None else
              [orthonormal(directions[c]) if on[c] else np.zeros((d, 0)) for c in range(k)])
    s_hat = np.sqrt(np.where(on, s2, 1.0))
    it, moved = 0, np.inf
    for it in range(1, max_iter + 1):
        if owner.size and table is None:         # this pass counts the spikes' rows
            hist = SpikeMass(owner, leverage_cap)
        dG, db = np.zeros((k, d, d)), np.zeros((k, d))
        G_all = None if summed else (np.zeros((k, d, d)), np.zeros((k, d)))
        n_clip, n_task = np.zeros(k), np.zeros(k)
        Wz = np.where(live, W, 0.0)
        if reads is not None:
            reads.begin(it)
        for a, e in blocks:                      # one pass: residuals, clipped rows
            lo, hi = int(off[a]), int(off[e])
            X, y = data._block(lo, hi, buf)
            lab = np.repeat(task_lab[a:e], sizes[a:e])
            cw = np.repeat(task_c[a:e], sizes[a:e])
            mine = lab >= 0
            # every row's residual under its own component: one X W (N_b × k)
            own = np.maximum(lab, 0)
            r = y - np.take((X @ Wz).reshape(-1), own + at[:lab.size])
            if reads is not None:                # the readings' tasks of the block
                reads.block(a, e, X, y, r, own, cw)
            if G_all is not None:
                for c in range(k):               # loop over components only
                    sel = np.flatnonzero(lab == c)
                    Xk = X[sel] * np.sqrt(cw[sel])[:, None]
                    G_all[0][c] += Xk.T @ Xk
                    G_all[1][c] += Xk.T @ (y[sel] * np.sqrt(cw[sel]))
            u = np.minimum(1.0, scale[own] / np.maximum(np.abs(r), 1e-300))
            if owner.size:
                # Mallows and density weights along the row's own component's
                # spike directions; the pass that counts the spikes' rows
                # projects every row (the others: every fitted component's rows)
                XE2 = None
                if hist is not None:
                    XE2 = squared_projections(X, E)
                    hist.add(XE2, lab, cw, live)
                u *= spike_row_weights(X, E, owner, lab, leverage_cap, table, XE2)
            if reads is not None:                # the refit's own scores ψ(r) m x·v
                reads.score(u)
            n_clip += np.bincount(lab[mine & (u < 1.0) & on[own]], minlength=k)
            if frames is not None:               # each task's score along the read directions
                tw = task_score_weights(X, r, u, lab, np.repeat(np.arange(a, e), sizes[a:e]),
                                        frames, s_hat, t, clip, task_clip)
                n_task += np.bincount(lab[mine & (tw < 1.0) & on[own]], minlength=k)
                u *= tw
            big = mine & (u < 1.0) & on[own]
            if not big.any():
                continue
            # the clipped rows in component order: one gather, then a run per
            # component; the IRLS weight u = c ŝ/|r| < 1 takes (1 − u) c_i of
            # each row out of the normal equations (rows scaled by its root)
            rows = np.flatnonzero(big)
            rows = rows[label_sort(lab[rows], k)]
            lb = lab[rows]
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
        if reads is not None:
            reads.end(d)
        if hist is not None:                     # the spikes' mass is read: their weights
            table = hist.weights()
            excess, hist = hist.excess(table), None
            fresh = bool((table < 1.0).any())
        if G_all is not None:                    # summed here: the spikes can be read now
            grams, rhs, summed = G_all[0], G_all[1], True
            if leverage_cap is not None:
                E, owner = _joined(spike_directions(grams, n_eff, on), leverage_dirs, on, n_eff)
                table, excess = None, np.zeros(owner.size)
                fresh = owner.size > 0           # the next step must weigh by them
                if fresh and reads is not None:  # and read along them
                    reads.spikes(E, owner)
        share = n_clip / np.maximum(n_rows, 1)
        task_share = n_task / np.maximum(n_rows, 1)
        moved = 0.0
        for c in np.flatnonzero(on):
            w = gram_solve(grams[c] - dG[c], rhs[c] - db[c])
            if w is None:                        # the weighted Gram lost its rank
                warnings.warn(f"the clipped refit of component {c} kept the filter's fit: its "
                              f"weighted normal equations are not positive definite "
                              f"(d={d}, {int(n_eff[c])} weighted examples)",
                              ConvergenceWarning, stacklevel=3)
                on[c] = False
                # the weights took the rank the kept rows had (> d tasks): no bound on their pull
                lost[c] = gram_solve(grams[c], rhs[c]) is not None and kept_tasks[c] > d
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
               "task_weighed": task_share.round(4).tolist(),
               "spikes": np.bincount(owner, minlength=k).tolist(),
               **({} if counted is None else {"counted": np.round(counted, 4).tolist()}),
               "excess": [[round(float(x), 4) for x in excess[owner == c]] for c in range(k)],
               "moved_se": np.where(lost, np.inf, np.round(np.where(
                   live, np.linalg.norm(np.nan_to_num(W - W0), axis=0) / se, 0.0), 3)).tolist(),
               **({} if reads is None else reads.info(kept_tasks, d)),
               "cpu_seconds": time.process_time() - cpu}


#: Standard errors ŝ √(d/n) by which the clipped refit may move a component
#: from the filter's least-squares fit before the stage's test fails. Both
#: estimate the same ŵ on clean data, and their difference there is a
#: fraction of a standard error: 0.15–0.23 on Gaussian, Fourier, Student-t,
#: uniform and correlated covariates, up to 1.07 with Chebyshev features
#: (whose components have spike directions against the covariate law) and
#: 1.02 on the sine-wave problem, whose classes differ in their covariates
#: (research/law_reference/clean_tests.log). Rows that pull through
#: leverage or residual move them apart: 8.7 and 12.2 on the moment red
#: teams' worst lever rows at α = 0.05.
REFIT_AGREEMENT = 3.0


#: Directions closer than this (|cos|) to one the component already has are
#: not added twice.
_SAME = 0.9


def spike_directions(grams, n_eff, on):
    """Directions along which a component's covariate second moment exceeds
    the other components' by :data:`SPIKE` or, on small components, their
    ratio's sampling edge (:func:`._clipped_test.ratio_edge`), or the
    covariate law's by SPIKE (1 + √(d/n_c))² relative to its median
    eigenvalue.

    The other components' pooled second moment is a reference the
    adversary can write into: rows far out along u in a few tasks of the
    other components raise theirs along u until the target's lever rows
    are within the allowance (0.15·s at α = 0.01 on the small-heavy
    problem, none of it seen). The stages run on whitened covariates, whose
    law has second moment I whatever the classification; a component above
    it by more than SPIKE and the sampling edge (1 + √(d/n_c))² of its Gram
    matrix is a spike direction as well, with x·e in the law's units. The
    law's level is read as the median eigenvalue of the component's Gram
    matrix: a second moment estimated from trimmed tasks is biased where
    the law's tasks differ in norm (Chebyshev features of a uniform input,
    whitened by it, have median eigenvalue 1.32 and a few directions at
    1.7–3.4 in every component, which against I itself gave 31–34 spike
    directions per component), and a few spike directions cannot move the
    median. Rows
    the adversary adds anywhere cannot lower that reference; what they
    change along e is the other components' density, which the weights
    read bin by bin (:class:`._spike_mass.SpikeMass`), so hiding has to put as many of
    the others' rows as the target's lever rows into the same bins.

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
        unit second moment along each (x·e is in units of their RMS), or,
        for a direction found against the covariate law, of unit norm (x·e
        in the law's RMS).
    owner : ndarray of int (P,)
        The component each direction belongs to.
    """
    d = grams.shape[1]
    cols, owner = [], []
    total, n_total = grams[on].sum(axis=0), float(n_eff[on].sum())
    for c in np.flatnonzero(on):                 # loop over components only
        G = grams[c] / max(float(n_eff[c]), 1e-300)
        mine = []
        n_rest = n_total - float(n_eff[c])
        try:
            L = np.linalg.cholesky((total - grams[c]) / n_rest) if n_rest > d else None
        except np.linalg.LinAlgError:
            L = None
        if L is not None:                        # against the other components
            B = np.linalg.solve(L, np.linalg.solve(L, G).T)
            lam, V = np.linalg.eigh((B + B.T) / 2)
            edge = ratio_edge(d, float(n_eff[c]), n_rest, SPIKE)
            mine += [np.linalg.solve(L.T, V[:, i]) for i in np.flatnonzero(lam > edge)]
        if n_eff[c] > d:                         # against the covariate law (I)
            lam, V = np.linalg.eigh((G + G.T) / 2)
            edge = SPIKE * (1.0 + np.sqrt(d / float(n_eff[c]))) ** 2 * float(np.median(lam))
            had = [e / np.linalg.norm(e) for e in mine]
            mine += [V[:, i] for i in np.flatnonzero(lam > edge)
                     if all(abs(V[:, i] @ e) < _SAME for e in had)]
        cols += mine
        owner += [c] * len(mine)
    if not cols:
        return np.zeros((d, 0)), np.zeros(0, dtype=int)
    return np.column_stack(cols), np.asarray(owner)


def _joined(spikes, extra, on, n_eff):
    """Spike directions (E, owner) with each fitted component's ``extra``
    unit directions that are not within :data:`_SAME` of one it has (where
    the other fitted components have rows to compare its density with)."""
    E, owner = spikes
    if extra is None:
        return E, owner
    cols, own = [E[:, i] for i in range(owner.size)], list(owner)
    total = float(n_eff[on].sum())
    for c in np.flatnonzero(on & (total - n_eff > E.shape[0])):   # loop over components only
        have = [v / np.linalg.norm(v) for v, o in zip(cols, own) if o == c]
        for v in extra[c].T:
            if all(abs(v @ h) < _SAME for h in have):
                cols.append(v)
                own.append(c)
                have.append(v)
    if not cols:
        return E, owner
    return np.column_stack(cols), np.asarray(own, dtype=int)
