"""The pull's predicted gain: the row-capped light Gram, and the ratio
with the adversary's information along the bias direction left out
(private module).

The pooled estimate's predicted clean mean squared error (Kong, Somani,
Kakade, Oh 2020: the heavy pool anchors the light pool's estimate;
:func:`~._pooled.pool_estimates`) is a variance part, a trace that the row
cap bounds (:func:`capped_grams`), plus the bias part |Ab|², b =
(G + ΔG)⁻¹ρ the light estimate's predicted classification bias
(:func:`~._misclass.model_bias`). The bias is one vector: ⌊αn⌋ light tasks
whose capped rows put most of their energy on b̂ raise the Gram along b̂
many times over while adding little to its trace, shrink b along b̂ and the
bias part with it (0.66–0.82 of tr Σ_H down to 0.06–0.15 on light sizes
2–64 under a red team's ``dir_gram``), and bring a clean ratio of
1.05–1.17 under one half.

:func:`trimmed_bias` recomputes Σ_L and b with the ⌊αn⌋ tasks of the
component whose capped contribution along b̂ is largest left out (from the
Gram and from b's sums: the model's prediction on the pool without them,
from the same draws) — n the whole light pool, since the adversary may put
all its tasks in one component. Any ⌊αn⌋ tasks add along b̂ at most what
these add, so whichever ⌊αn⌋ the adversary wrote, the trimmed Gram along
b̂ is at most the Gram of the component's other tasks. Written along u,
the information shrinks b along u and b̂ turns away from u (as it grows,
b tends to the part of b orthogonal to u): the ratio is therefore also
read without the ⌊αn⌋ tasks of most capped weight along the capped Gram's
top direction, and the larger of the two trimmed ratios counts. Leaving out the
most informative 4α of a clean component (k = 4) raises its ratio as well
(b grows along b̂): on the default problem with equal light sizes from
0.28–0.37 to 0.37–0.50, with sizes 2–64 from 0.92–1.17 to 1.74–2.16; the
trimmed ratio is therefore held to its own threshold
(:data:`~._pooled.TRIM_GAIN`, 0.75: halfway, as one half sits between
0.37 and 0.92), and the pull is taken only when both hold. What ⌊αn⌋ tasks
can still do: spread their information over several directions of b (each
shrinks less), add isotropically within the trace bound, or place their
tasks just under the trimmed set's smallest contribution (then they add at
most ⌊αn⌋ times that along b̂, and the trimmed Gram still loses as much).
"""

from __future__ import annotations

import numpy as np

from ..._segments import label_grams, task_blocks, task_weighted_row_quantile
from ...threat import size_cap
from ._misclass import example_weights

#: The Gram the pull's gain is predicted from caps each light row's
#: ‖x‖² at the clean law's quantile of this level (:func:`capped_grams`).
ROW_CAP_LEVEL = 0.9


def capped_grams(data, labels, k, alpha, weights_by_task=True, level=ROW_CAP_LEVEL):
    """Per component, the light Gram ``Σ c_i min(1, τ/‖x_j‖²) x_jx_jᵀ`` of
    :func:`~._pooled.light_covariances` with each row's contribution capped at τ, the
    task-weighted quantile of the pool's ‖x_j‖² at level ``level``·(1 − α).

    Every task of the pool weighs 1 in the quantile (each row 1/t_i), so
    ⌊αn⌋ tasks hold at most α of its mass and can raise τ at most to the
    clean rows' quantile at ``level``: a row the adversary writes counts in
    the Gram as at most a clean row at that quantile, whatever its norm
    (:func:`~._pooled.pool_estimates`, Notes). τ by
    :func:`~..._segments.task_weighted_row_quantile` (two passes, no
    per-row array), then the Gram in a third, each block's ‖x_j‖² summed
    again as there. Returns ``(gram (k, d, d), tau)``.
    """
    off, d = data.offsets, data.dim
    blocks = task_blocks(off, data._row_bytes)
    tau = task_weighted_row_quantile(data, level * (1.0 - alpha), blocks)
    # example_weights' c_i block by block (no per-task array held)
    cap, gram = size_cap(data.sizes) if weights_by_task else None, np.zeros((k, d, d))
    for a, e in blocks:
        Xb, yb = data._block(off[a], off[e])
        t = off[a + 1:e + 1] - off[a:e]
        sq = np.einsum("ij,ij->i", Xb, Xb).astype(float, copy=False)     # as the quantile's
        w = np.repeat(np.minimum(t, cap) / t if weights_by_task else np.ones(t.size), t) \
            * np.minimum(1.0, tau / np.maximum(sq, 1e-300))
        gram += label_grams(Xb * np.sqrt(w)[:, None], yb, off[a:e + 1] - off[a], labels[a:e],
                            k)[0]
    return gram, tau


def _row_weights(data, a, e, Xb, c, tau):
    """The capped Gram's row weights c_i·min(1, τ/‖x_j‖²) of tasks a..e."""
    sq = np.einsum("ij,ij->i", Xb, Xb)
    off = data.offsets                   # the block's sizes only (not np.diff of the pool)
    return np.repeat(c[a:e], off[a + 1:e + 1] - off[a:e]) \
        * np.minimum(1.0, tau / np.maximum(sq, 1e-300))


def top_tasks(data, labels, comp, u, n_top, tau, weights_by_task=True, sim=None):
    """The ``n_top`` tasks labelled ``comp`` of largest capped contribution
    Σ_j c_i·min(1, τ/‖x_j‖²)·(x_jᵀu)² along the unit vector ``u``, the
    capped Gram they add and, with ``sim`` = (replay, j, w) (``replay`` of
    :func:`~._misclass.model_bias`'s parts, j the component's column in
    it, w the model's ŵ), what they add to its sums ΔG and ρ.
    One pass for the contributions, one over the blocks holding the chosen
    tasks (:func:`top_tasks_many` with one request).
    Returns ``(gram (d, d), dG (d, d), rhs (d,), idx)``."""
    replay, j, w = sim if sim is not None else (None, 0, None)
    return top_tasks_many(data, labels, [(comp, u, j, w)], n_top, tau, weights_by_task,
                          replay)[0]


def _rows_of(off, a, tasks):
    """Row positions within the block starting at task ``a`` of the block's
    tasks ``tasks`` (local indices, increasing), in order, and their sizes:
    the rows a boolean mask of these tasks selects, without a mask over the
    whole block."""
    lo, t = off[a + tasks] - off[a], off[a + tasks + 1] - off[a + tasks]
    return np.arange(int(t.sum())) + np.repeat(lo - (np.cumsum(t) - t), t), t


def _top_positions(v, n):
    """The positions of the ``n`` largest of ``v``, ties to the lower
    position (the set ``np.argsort(-v, kind="stable")[:n]`` holds), in
    increasing order: by one partition instead of a sort."""
    if n >= v.size or n <= 0:
        return np.arange(min(max(n, 0), v.size))
    if np.isnan(v).any():                # NaN sorts last: the sort's own order
        return np.sort(np.argsort(-v, kind="stable")[:n])
    cut = np.partition(v, v.size - n)[v.size - n]          # the n-th largest
    above = np.flatnonzero(v > cut)
    return np.union1d(above, np.flatnonzero(v == cut)[:n - above.size])


def top_tasks_many(data, labels, asks, n_top, tau, weights_by_task=True, replay=None):
    """:func:`top_tasks` for several requests ``asks`` = [(comp, u, j, w),
    ...] in the same two passes: each block is read once, its row weights
    c_i·min(1, τ/‖x_j‖²) formed once and (with ``replay``, the sums' terms
    of every request) its draws replayed once, and each request's terms are
    then those :func:`top_tasks` computes alone, from the same rows in the
    same order (the same result, bit for bit), gathered by the rows'
    positions (no mask over every row of a block per request). The
    contributions are kept for each request's own component only (n floats
    per direction over all components). Returns a list of ``(gram, dG,
    rhs, idx)``, one per request."""
    off, d = data.offsets, data.dim
    labels = np.asarray(labels)
    c = example_weights(data, weights_by_task)
    out = [(np.zeros((d, d)), np.zeros((d, d)), np.zeros(d), np.empty(0, int)) for _ in asks]
    mine = [np.flatnonzero(labels == comp) for comp, *_ in asks]
    live = [q for q in range(len(asks)) if n_top > 0 and mine[q].size > 0]
    if not live:
        return out
    blocks = task_blocks(off, data._row_bytes)
    v = {q: np.zeros(mine[q].size) for q in live}
    for a, e in blocks:
        # a request's tasks in this block: a contiguous run of its ``mine``
        runs = {q: np.searchsorted(mine[q], (a, e)) for q in live}
        here = [q for q in live if runs[q][1] > runs[q][0]]
        if not here:
            continue
        Xb = data._block(off[a], off[e])[0]
        rw = _row_weights(data, a, e, Xb, c, tau)
        rows = {}                        # per component: its tasks' rows, their task
        for q in here:
            lo, hi = runs[q]
            comp = asks[q][0]
            if comp not in rows:
                pos, t = _rows_of(off, a, mine[q][lo:hi] - a)
                rows[comp] = pos, np.repeat(np.arange(hi - lo), t), np.take(rw, pos)
            pos, task, rw_c = rows[comp]
            # each row's contribution and each task's sum over its own rows
            # in order, as over the whole block
            contrib = rw_c * np.take(Xb @ asks[q][1], pos) ** 2
            v[q][lo:hi] = np.bincount(task, weights=contrib, minlength=hi - lo)
    top = {}
    for q in live:
        top[q] = mine[q][_top_positions(v[q], n_top)]
        out[q] = out[q][:3] + (top[q],)
    del v
    for a, e in blocks:
        spans = {q: np.searchsorted(top[q], (a, e)) for q in live}
        here = [q for q in live if spans[q][1] > spans[q][0]]
        if not here:
            continue
        Xb = data._block(off[a], off[e])[0]
        rw = _row_weights(data, a, e, Xb, c, tau)
        drawn = replay(a, e, Xb) if replay is not None else None
        for q in here:
            gram, dG, rhs, _ = out[q]
            tasks = top[q][spans[q][0]:spans[q][1]] - a
            pos, t = _rows_of(off, a, tasks)
            Xs = np.take(Xb, pos, axis=0) * np.sqrt(np.take(rw, pos))[:, None]
            gram += Xs.T @ Xs
            if drawn is not None:                      # the same tasks' terms of ΔG, ρ
                (delta, y), (_, _, j, w) = drawn, asks[q]
                wts = np.repeat(delta[tasks, j], t)
                sel = wts != 0
                if sel.any():
                    at = pos[sel]
                    Xd, wd = np.take(Xb, at, axis=0), wts[sel]
                    dG += Xd.T @ (Xd * wd[:, None])
                    rhs += Xd.T @ (wd * (Xd @ w - np.take(y, at)))
    return out


def trimmed_bias(data, labels, comp, gram, b, parts, w, n_top, tau, weights_by_task=True,
                 u=None):
    """The capped Gram of component ``comp`` without its ``n_top`` tasks of
    largest capped contribution along b̂ (or the unit vector ``u``;
    :func:`top_tasks`), and the model
    bias solved without them: (G − G_top + ΔG − ΔG_top)⁻¹(ρ − ρ_top), the
    prediction :func:`~._misclass.model_bias` makes on the pool without
    these tasks from the same draws (``parts`` its ``parts=True`` output,
    ``w`` the model's ŵ_comp). Returns ``(gram, bias)``; ``gram`` is None
    when what is left is singular (no light estimate the adversary could
    not have written)."""
    return trimmed_biases(data, labels, [(comp, gram, b, w, u)], parts, n_top, tau,
                          weights_by_task)[0]


def trimmed_biases(data, labels, asks, parts, n_top, tau, weights_by_task=True):
    """:func:`trimmed_bias` for several requests ``asks`` = [(comp, gram, b,
    w, u), ...] (u None: along b̂) in one pair of passes over the pool
    (:func:`top_tasks_many`; the same results, bit for bit). Returns a list
    of ``(gram, bias)``, one per request."""
    out, todo = [None] * len(asks), []
    for q, (comp, gram, b, w, u) in enumerate(asks):
        nb = float(np.linalg.norm(b))
        if u is None and not nb > 0:
            out[q] = (gram, b)
        else:
            todo.append((q, (comp, b / nb if u is None else u, parts["comps"].index(comp), w)))
    tops = top_tasks_many(data, labels, [ask for _, ask in todo], n_top, tau, weights_by_task,
                          parts["replay"])
    for (q, _), (top, dG_top, rhs_top, _) in zip(todo, tops):
        comp, gram = asks[q][0], asks[q][1]
        g = gram - top
        ev = np.linalg.eigvalsh(g)
        if not ev[0] > 1e-10 * max(ev[-1], 1e-300):
            out[q] = (None, asks[q][2])
            continue
        dG, rhs = parts["sums"][comp]
        out[q] = (g, np.linalg.solve(g + dG - dG_top, rhs - rhs_top))
    return out


def trimmed_all(data, labels, comps, B, grams, parts, W, n_top, tau, weights_by_task=True):
    """:func:`trimmed_bias` of each component in ``comps`` along b̂ (its
    column of ``B``) and along its capped Gram's top direction (``grams``,
    the capped Grams (k, d, d); ``W`` the model's ŵ (d, k)), all in one pair
    of passes (:func:`trimmed_biases`). Returns ``{c: [(gram, bias) along
    b̂, (gram, bias) along the top direction]}``."""
    asks = [(c, grams[c], B[:, c], W[:, c], u) for c in comps
            for u in (None, np.linalg.eigh(grams[c])[1][:, -1])]
    got = trimmed_biases(data, labels, asks, parts, n_top, tau, weights_by_task)
    return {c: got[2 * i:2 * i + 2] for i, c in enumerate(comps)}


def _well_posed(gram):
    """Whether a Gram's smallest eigenvalue exceeds 1e-10 of its largest."""
    ev = np.linalg.eigvalsh(gram)
    return bool(ev[0] > 1e-10 * ev[-1])


def _predicted_mse_ratio(cov_l, cov_h, prec_l, prec, b):
    """Clean mean squared error of the full precision-weighted pooling
    ŵ_H + A(ŵ_L − ŵ_H), A = (Σ_L⁻¹ + Σ_H⁻¹)⁻¹Σ_L⁻¹ (``prec_l`` = Σ_L⁻¹,
    ``prec`` = Σ_L⁻¹ + Σ_H⁻¹), over that of ŵ_H alone, with b the light
    estimate's bias: [tr((I − A)Σ_H(I − A)ᵀ) + tr(AΣ_LAᵀ) + |Ab|²] / tr Σ_H."""
    A = np.linalg.solve(prec, prec_l)
    R = np.eye(A.shape[0]) - A
    mse = np.trace(R @ cov_h @ R.T) + np.trace(A @ cov_l @ A.T) + float(np.sum((A @ b) ** 2))
    return float(mse / np.trace(cov_h))


def _capped_ratio(gram, scale, cov_h, b):
    """:func:`_predicted_mse_ratio` with Σ_L = ``scale``·``gram``⁻¹."""
    cov_r = scale * np.linalg.inv(gram)
    prec_r = np.linalg.inv(cov_r)
    return _predicted_mse_ratio(cov_r, cov_h, prec_r, prec_r + np.linalg.inv(cov_h), b)
