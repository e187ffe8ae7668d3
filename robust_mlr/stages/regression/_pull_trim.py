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

:func:`trimmed_all` recomputes Σ_L and b with the ⌊αn⌋ tasks of the
component whose capped contribution along b̂ is largest left out (from the
Gram and from b's sums: the model's prediction on the pool without them,
from the same draws) — n the whole light pool, since the adversary may put
all its tasks in one component. Any ⌊αn⌋ tasks add along b̂ at most what
these add, so whichever ⌊αn⌋ the adversary wrote, the trimmed Gram along
b̂ is at most the Gram of the component's other tasks. Written along u,
the information shrinks b along u and b̂ turns away from u (as it grows,
b tends to the part of b orthogonal to u): the ratio is therefore also
read without the ⌊αn⌋ tasks of most capped weight along the capped Gram's
top directions, and the larger of the two trimmed ratios counts. Not the
top eigenvector alone: about half the ⌊αn⌋ tasks can write a decoy d0 more
strongly than the rest write u, d0 becomes the top eigenvector and that
trim removes the decoy (a red team's ``split_gram``: trimmed 0.741, the pull
back). A task is scored by its largest capped contribution along any one of
the top :data:`TOP_DIRECTIONS` eigenvectors and the ⌊αn⌋ of highest score
leave together (:func:`top_directions`, :func:`top_tasks_over`): to keep u out
of the top r the adversary must raise r other directions each above u,
and its capped energy is bounded (⌊αn⌋·t_cap·τ), so u gets at most
1/(r + 1) of it; its tasks inside the top r all outscore clean ones and
go at once. The largest single-direction score, not the energy in the
span, ranks: a clean task's energy in an r-dimensional span grows with r,
an adversary row's along one direction does not. Leaving out the
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

#: The second trim leaves out the ⌊αn⌋ tasks of largest capped
#: contribution along any one of the capped Gram's top this-many
#: eigenvectors (:func:`top_tasks_over`, :func:`trimmed_all`).
TOP_DIRECTIONS = 4


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


def top_directions(gram, r=TOP_DIRECTIONS):
    """The capped Gram's top ``r`` eigenvectors, shape (d, r): the second
    trim ranks a task by its largest contribution along any one of them
    (:func:`top_tasks_over`; module notes)."""
    return np.linalg.eigh(gram)[1][:, -r:]


def _block_sizes(data, a, e):
    """The sizes of tasks a..e from the offsets (``data.sizes`` is the whole
    pool's: an O(n) difference in every block made the passes quadratic in
    n — 26 s of CPU for the robust fit at 10⁶ tasks per light pool)."""
    off = data.offsets
    return off[a + 1:e + 1] - off[a:e]


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


def _row_weights(data, a, e, Xb, c, tau):
    """The capped Gram's row weights c_i·min(1, τ/‖x_j‖²) of tasks a..e."""
    sq = np.einsum("ij,ij->i", Xb, Xb)
    return np.repeat(c[a:e], _block_sizes(data, a, e)) \
        * np.minimum(1.0, tau / np.maximum(sq, 1e-300))


def _block_rows(data, a, e, Xb, c, tau, memo):
    """:func:`_row_weights` of tasks a..e and each row's task within the
    block; kept in ``memo`` (a dict, or None: computed each time) for the
    next call on the same pool, c and τ — :func:`top_tasks_over` makes two
    passes over the pool, and these do not change between them (the same
    arrays, bit for bit; 12 bytes a row)."""
    got = None if memo is None else memo.get(a)
    if got is None:
        got = (_row_weights(data, a, e, Xb, c, tau),
               np.repeat(np.arange(e - a, dtype=np.int32), _block_sizes(data, a, e)))
        if memo is not None:
            memo[a] = got
    return got


def top_tasks_over(data, labels, reqs, n_top, tau, weights_by_task=True, replay=None,
                   memo=None):
    """For each request (comp, us, j, w) of ``reqs`` and each direction u
    of its ``us``: the ``n_top`` tasks labelled ``comp`` of largest capped
    contribution Σ_j c_i·min(1, τ/‖x_j‖²)·(x_jᵀu)² along the unit vector u
    (u of shape (d, r), orthonormal columns: the largest of the r
    contributions, one per column, ranks a task), the capped Gram they add
    and, with ``replay`` (of :func:`~._misclass.model_bias`'s parts; j the
    component's column in it, w the model's ŵ), what they add to its sums
    ΔG and ρ. One pass for the contributions, one over the blocks holding
    the chosen tasks, for every request and direction at once (each block
    read once a pass and its draws replayed once; ``memo``: a dict keeping
    each block's row weights between calls on the same pool, c and τ,
    :func:`_block_rows`). A list, per request, of a list, per direction, of
    ``(gram (d, d), dG (d, d), rhs (d,), idx)``."""
    off, d = data.offsets, data.dim
    labels = np.asarray(labels)
    c = example_weights(data, weights_by_task)
    out = [[[np.zeros((d, d)), np.zeros((d, d)), np.zeros(d)] for _ in us]
           for _, us, _, _ in reqs]
    mine = [np.flatnonzero(labels == comp) for comp, *_ in reqs]
    live = [q for q in range(len(reqs)) if n_top > 0 and mine[q].size > 0 and reqs[q][1]]
    if not live:
        return [[(g, dG, rhs, np.empty(0, int)) for g, dG, rhs in o] for o in out]
    blocks = task_blocks(off, data._row_bytes)
    # each request's scores over its own component's tasks only
    v = {q: np.zeros((len(reqs[q][1]), mine[q].size)) for q in live}
    for a, e in blocks:
        runs = {q: np.searchsorted(mine[q], (a, e)) for q in live}
        here = [q for q in live if runs[q][1] > runs[q][0]]
        if not here:
            continue
        Xb = data._block(off[a], off[e])[0]
        rw, task = _block_rows(data, a, e, Xb, c, tau, memo)
        for q in here:                                 # loop over components only
            lo, hi = runs[q]
            at = mine[q][lo:hi] - a
            for i, u in enumerate(reqs[q][1]):         # loop over directions only
                proj = (Xb @ u).reshape(len(Xb), -1) ** 2   # one column per direction of u
                # a task's score: its largest contribution along any one of them
                v[q][i, lo:hi] = np.max([np.bincount(task, weights=rw * proj[:, j],
                                                     minlength=e - a)[at]
                                         for j in range(proj.shape[1])], axis=0)
    idx = {q: [mine[q][_top_positions(vi, n_top)] for vi in v[q]] for q in live}
    del v
    for a, e in blocks:
        spans = {q: [np.searchsorted(ix, (a, e)) for ix in idx[q]] for q in live}
        here = [q for q in live if any(s1 > s0 for s0, s1 in spans[q])]
        if not here:
            continue
        Xb = data._block(off[a], off[e])[0]
        sizes = _block_sizes(data, a, e)
        rw = _block_rows(data, a, e, Xb, c, tau, memo)[0]
        drawn = None
        for q in here:                                 # loop over components only
            _, us, j, w = reqs[q]
            for i in range(len(us)):                   # loop over directions only
                s0, s1 = spans[q][i]
                if not s1 > s0:
                    continue
                mask = np.zeros(e - a, bool)
                mask[idx[q][i][s0:s1] - a] = True
                gram, dG, rhs = out[q][i]
                rows = np.repeat(mask, sizes)
                # the chosen tasks' rows gathered once, in order (compress: the
                # rows of Xb[rows], ≈ 2× faster); the terms of ΔG and ρ below
                # read the same rows among them
                Xc = np.compress(rows, Xb, axis=0)
                Xs = Xc * np.sqrt(rw[rows])[:, None]
                gram += Xs.T @ Xs
                if replay is not None:                 # the same tasks' terms of ΔG, ρ
                    if drawn is None:                  # the block's draws, once
                        drawn = replay(a, e, Xb)
                    delta, y = drawn
                    # the chosen rows' weights (the others' are zero and never read)
                    wts = np.repeat(delta[mask, j], sizes[mask])
                    sel = wts != 0
                    if sel.any():
                        Xd, wd = np.compress(sel, Xc, axis=0), wts[sel]
                        dG += Xd.T @ (Xd * wd[:, None])
                        rhs += Xd.T @ (wd * (Xd @ w - y[rows][sel]))
    return [[(g, dG, rhs, idx[q][i] if q in idx else np.empty(0, int))
             for i, (g, dG, rhs) in enumerate(out[q])] for q in range(len(reqs))]


def trimmed_all(data, labels, reqs, parts, n_top, tau, weights_by_task=True, memo=None):
    """For each request (comp, gram, b, w, us) of ``reqs`` and each
    direction of its ``us`` (None: b̂): the capped Gram of component
    ``comp`` without its ``n_top`` tasks of largest capped contribution
    along that direction (:func:`top_tasks_over`), and the model bias
    solved without them: (G − G_top + ΔG − ΔG_top)⁻¹(ρ − ρ_top), the
    prediction :func:`~._misclass.model_bias` makes on the pool without
    these tasks from the same draws (``parts`` its ``parts=True`` output,
    w the model's ŵ_comp). Every component's directions are found in one
    pair of passes over the pool. A list, per request, of a list, per
    direction, of ``(gram, bias)``; ``gram`` is None when what is left is
    singular (no light estimate the adversary could not have written)."""
    dirs, asks = [], []
    for comp, gram, b, w, us in reqs:
        nb = float(np.linalg.norm(b))
        dirs.append((nb, [b / nb if u is None else u for u in us if u is not None or nb > 0]))
        asks.append((comp, dirs[-1][1], parts["comps"].index(comp), w))
    found_all = top_tasks_over(data, labels, asks, n_top, tau, weights_by_task,
                               parts["replay"], memo)
    results = []
    for (comp, gram, b, w, us), (nb, _), found in zip(reqs, dirs, found_all):
        found = iter(found)
        dG, rhs = parts["sums"][comp]
        out = []
        for u in us:
            if u is None and not nb > 0:
                out.append((gram, b))
                continue
            top, dG_top, rhs_top, _ = next(found)
            g = gram - top
            ev = np.linalg.eigvalsh(g)
            if not ev[0] > 1e-10 * max(ev[-1], 1e-300):
                out.append((None, b))
                continue
            out.append((g, np.linalg.solve(g + dG - dG_top, rhs - rhs_top)))
        results.append(out)
    return results


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
