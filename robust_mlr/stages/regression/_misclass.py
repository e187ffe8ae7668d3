"""The clean bias of the light estimates from hard classification (private module).

Hard classification puts clean tasks of component b that happen to fit ℓ
into ℓ's least squares (and leaves out ℓ's tasks that fit b), which pulls
ŵ_ℓ towards the other components when tasks are small (two examples). The
likelihood estimate does not have this bias: its fixed point solves
Σ_i r_iℓ c_i X_iᵀ(y_i − X_iw_ℓ) = 0 with the posterior responsibilities
r_iℓ. One such weighted least-squares step from the light estimates, w̄_ℓ,
gives ŵ_ℓ − w̄_ℓ as the estimate (it underestimates it by EM's contraction,
not by much when tasks are classified well). Since ŵ_ℓ solves
G_ℓŵ_ℓ = Σ_{i∈ℓ} c_iX_iᵀy_i, only the tasks whose weight changes,
Δ_iℓ = c_i(r_iℓ − [i classified to ℓ]), enter:

    B_ℓ = ŵ_ℓ − w̄_ℓ = (G_ℓ + ΔG_ℓ)⁻¹ Σ_i Δ_iℓ X_iᵀ(X_iŵ_ℓ − y_i).

:func:`misclassification_bias` evaluates it on the pool's responses. The
adversary's tasks enter that sum with responses of its choosing: a light
task placed where its posterior and its hard label disagree adds its whole
residual to B_ℓ, and a moved ŵ_ℓ then reads as "bias" that the anchor's
test forgives. :func:`model_bias` evaluates the same sum on responses drawn
from the fitted mixture (ŵ, ŝ², p̂) on the pool's own designs, labels the
argmax of the posteriors: the bias the fitted model predicts for these
task sizes and covariates, which the adversary moves only through ŵ and
the designs of its ⌊αn⌋ tasks, never through their responses.
"""

from __future__ import annotations

import numpy as np

from ..._segments import BlockSums, pool_task_rss, task_blocks
from ...threat import size_cap

__all__ = ["responsibilities", "misclassification_bias", "model_bias"]


def example_weights(data, weights_by_task):
    """Per-task example weight c_i = min(t_i, t_cap)/t_i of the task
    filter's least squares (ones for unweighted fits)."""
    t = data.sizes
    return np.minimum(t, size_cap(t)) / t if weights_by_task else np.ones(t.size)


def _log_posterior(rss, t, s2, p):
    """Normalised posteriors (n, k) from per-task RSS (n, k) under (s², p)."""
    logr = np.log(p) - 0.5 * t[:, None] * np.log(s2) - rss / (2.0 * s2)
    logr -= logr.max(axis=1, keepdims=True)
    r = np.exp(logr)
    return r / r.sum(axis=1, keepdims=True)


def _clean_model(s2, p):
    s2 = np.maximum(np.nan_to_num(np.asarray(s2, float), nan=1.0), 1e-12)
    p = np.maximum(np.nan_to_num(np.asarray(p, float), nan=0.0), 1e-12)
    return s2, p


def responsibilities(data, W, s2, p):
    """Posterior component probabilities (n, k) of each task under the
    mixture (W, s², p) with Gaussian noise."""
    s2, p = _clean_model(s2, p)
    return _log_posterior(pool_task_rss(data, np.nan_to_num(W)), data.sizes.astype(float), s2, p)


def _bias_pass(light, W, delta_of_block, comps):
    """One blocked pass: ΔG_ℓ = Σ Δ_iℓ X_iᵀX_i and Σ Δ_iℓ X_iᵀ(X_iŵ_ℓ − y_i)
    for ``comps``; ``delta_of_block(a, e, Xb, yb) -> (Δ (e−a, len(comps)), y)``
    gives a block's weights and the responses to use."""
    d, off = light.dim, light.offsets
    dG, rhs = np.zeros((len(comps), d, d)), np.zeros((len(comps), d))
    # block by block (a screened pool, or one on disk, is read so; no copy of
    # the changed tasks' rows, no per-task array of the pool)
    for a, e in task_blocks(off, light._row_bytes):
        Xb, yb = light._block(off[a], off[e])
        delta, yb = delta_of_block(a, e, Xb, yb)
        t = off[a + 1:e + 1] - off[a:e]
        for j, ell in enumerate(comps):                 # loop over components only
            wts = np.repeat(delta[:, j], t)
            rows = wts != 0
            if rows.any():
                # the same rows as Xb[rows], gathered by compress (≈ 2× faster)
                Xs, ws = np.compress(rows, Xb, axis=0), wts[rows]
                dG[j] += Xs.T @ (Xs * ws[:, None])
                rhs[j] += Xs.T @ (ws * (Xs @ W[:, ell] - yb[rows]))
    return dG, rhs


def _solve(W, gram, comps, dG, rhs):
    bias = np.zeros_like(W)
    for j, ell in enumerate(comps):
        bias[:, ell] = np.linalg.solve(gram[ell] + dG[j], rhs[j])
    return bias


def _block_posteriors(Xb, y, W, rel_off, s2, p, sums):
    """Posteriors (tasks, k) of a block's tasks (row offsets ``rel_off``
    within the block) with responses ``y`` under (W, s², p)."""
    R = Xb @ W
    np.subtract(y[:, None], R, out=R)
    R *= R
    return _log_posterior(sums(rel_off, R), np.diff(rel_off).astype(float), s2, p)


def _weight_changes(r, labels, comps, c):
    """Δ_iℓ = c_i(r_iℓ − [label_i = ℓ]) for ``comps``, zero where the weight
    does not change."""
    delta = (r[:, comps] - (np.asarray(labels)[:, None] == np.array(comps))) * c[:, None]
    delta[np.abs(delta) <= 1e-9] = 0.0
    return delta


def misclassification_bias(light, kept_labels, W, s2, p, gram, comps, weights_by_task=True):
    """Estimated clean bias B of the light estimates of components ``comps``
    from classification, on the pool's responses (module notes), (d, k)
    (zero columns elsewhere). Each block's responsibilities come from its
    own residual sums, in the same pass (no n × k array of the pool)."""
    s2, p = _clean_model(s2, p)
    Wm = np.nan_to_num(W)
    c = example_weights(light, weights_by_task)
    comps = [int(ell) for ell in comps]
    kept_labels = np.asarray(kept_labels)
    sums, off = BlockSums(), light.offsets

    def on_pool(a, e, Xb, yb):
        r = _block_posteriors(Xb, yb, Wm, off[a:e + 1] - off[a], s2, p, sums)
        return _weight_changes(r, kept_labels[a:e], comps, c[a:e]), yb

    dG, rhs = _bias_pass(light, W, on_pool, comps)
    return _solve(W, gram, comps, dG, rhs)


#: Light pools of at most this many rows keep :func:`model_bias`'s draws
#: for its ``replay`` (one response per row, one weight per task and
#: component: ≈ 0.2 GB at the limit); larger ones (a pool on disk) keep one
#: stream state per block and draw a block again when asked.
KEEP_DRAWS_ROWS = 1 << 24


def model_bias(light, W, s2, p, gram, comps, rng, weights_by_task=True, parts=False):
    """The same bias on responses drawn from the fitted mixture (W, s², p)
    on the pool's designs, each task labelled by its largest posterior
    (module notes), (d, k) (zero columns elsewhere).

    Parameters
    ----------
    light : MetaDataset
    W : ndarray (d, k), s2 : ndarray (k,), p : ndarray (k,)
        The fitted mixture.
    gram : ndarray (k, d, d)
        The light least squares' Grams.
    comps : sequence of int
    rng : Generator
        Draws the components and the noise.
    weights_by_task : bool
    parts : bool
        Also return what the bias is solved from, to solve it again on
        another Gram and without some tasks: a dict of ``sums``
        ``{ℓ: (ΔG_ℓ, ρ_ℓ)}`` (B_ℓ = (G_ℓ + ΔG_ℓ)⁻¹ρ_ℓ, module notes),
        ``comps`` and ``replay(a, e, Xb) -> (Δ (e − a, len(comps)), y)``,
        the weights and drawn responses of the block of tasks a..e (rows
        ``Xb``): those kept from the pass (pools of at most
        :data:`KEEP_DRAWS_ROWS` rows), else drawn again from that block's
        saved stream state (no per-row or per-task array).

    Returns
    -------
    ndarray (d, k)
        With ``parts``: ``(bias, parts)``.
    """
    s2, p = _clean_model(s2, p)
    W = np.nan_to_num(W)
    c = example_weights(light, weights_by_task)
    comps = [int(ell) for ell in comps]
    k = W.shape[1]
    sums = BlockSums()
    off = light.offsets
    # each block's draws kept while the pool is small, else its stream state
    # to draw it again (the same Δ and y either way, bit for bit)
    states, keep = {}, parts and int(off[-1]) <= KEEP_DRAWS_ROWS

    def draw(gen, a, e, Xb, block_sums):
        t = off[a + 1:e + 1] - off[a:e]
        z = gen.choice(k, size=e - a, p=p / p.sum())
        zr = np.repeat(z, t)
        y = np.einsum("nd,nd->n", Xb, W[:, zr].T) + np.sqrt(s2[zr]) * gen.standard_normal(zr.size)
        r = _block_posteriors(Xb, y, W, off[a:e + 1] - off[a], s2, p, block_sums)
        return _weight_changes(r, np.argmax(r, axis=1), comps, c[a:e]), y

    def simulated(a, e, Xb, yb):
        if parts and not keep:
            states[a] = rng.bit_generator.state
        got = draw(rng, a, e, Xb, sums)
        if keep:
            states[a] = got
        return got

    def replay(a, e, Xb):
        if keep:
            return states[a]
        # the block's draws again from its saved state: the same Δ and y, bit
        # for bit, without a per-row array of the pool held between passes
        gen = np.random.Generator(type(rng.bit_generator)())
        gen.bit_generator.state = states[a]
        return draw(gen, a, e, Xb, BlockSums())

    dG, rhs = _bias_pass(light, W, simulated, comps)
    bias = _solve(W, gram, comps, dG, rhs)
    if not parts:
        return bias
    return bias, {"sums": {ell: (dG[j], rhs[j]) for j, ell in enumerate(comps)},
                  "replay": replay, "comps": comps}
