"""The heavy pool as an anchor of the light-pool regression (private module).

A light-pool estimate ŵ_L,ℓ of a component is fitted from tasks of t = 8
examples: moving component ℓ's task law by δ·s changes it in total variation
by ≈ 0.4·δ·√t, so ⌊αn⌋ replaced tasks can make two worlds ≈ 0.19·s apart
indistinguishable at α = 0.05 (the light pool's two-point floor,
:mod:`robust_mlr.limits`). A heavy task of t_H = 128 examples sees the same
shift ≈ 4× more clearly, and the heavy pool's floor is 0.046·s. This module
estimates every component from the heavy tasks as well
(:mod:`._heavy_anchor`) and lets the light estimate move the final one only
as far as the heavy tasks allow.

**Combination.** With Σ_L, Σ_H the clean covariances of ŵ_L and ŵ_H (from
the designs and ŝ²_H: sandwich form for the light pool's capped example
weights), D = ŵ_L − ŵ_H has covariance Σ_L + Σ_H on clean data and
T = Dᵀ(Σ_L + Σ_H)⁻¹D ~ χ²_d. The final estimate is the precision-weighted
mean ŵ_H + (Σ_L⁻¹ + Σ_H⁻¹)⁻¹Σ_L⁻¹D' — least squares on both pools when they
agree — with D' = D·min(1, r/√T), r = c·√median χ²_d (the stage's ``pull``
c, 1 by default): the light pool
moves ŵ by at most r Mahalanobis units of D. The pull is taken only where
it buys clean precision: the pooled estimate's clean mean squared error,
predicted with the light estimate's classification bias drawn under the
heavy estimates (:func:`~._misclass.model_bias` at ŵ_H, ŝ²_H: responses of
the model, never the pool's, and not at ŵ_L, which the light adversary
moves — at ŵ_L the red team's anchor_match made a component's predicted
ratio 0.42 instead of ≈ 1.1; Σ_L from rows capped at a clean quantile of
‖x‖², :func:`capped_grams`), must be at most :data:`PULL_GAIN` of ŵ_H's;
elsewhere c = 0. With light tasks of 2–64 examples on the default problem
the ratio is 0.92–1.17 (hard classification at t = 2 biases ŵ_L and the
pooling bought nothing), with equal sizes 0.28–0.37 (the pull taken). The test fails when √T
exceeds √q + β, q the 1 − 10⁻³/k quantile of χ²_d and β an allowance for
the light estimate's clean misclassification bias (tasks of two examples:
:mod:`._misclass`), the smaller of its Mahalanobis norms estimated on the
pool's responses and on responses drawn from the fitted model — the
adversary's light tasks inflate the first (3.5–4.3 in √T units on the red
team's attacks, where the clean problem has ≈ 1.7), never the second. A
failed test shows the light estimate inconsistent with the anchor, and the
component keeps ŵ_H alone: whichever pool is corrupted, ŵ_H is within the
heavy filter's bound, while the shrunk pooling can add r Mahalanobis units
of a corrupted light estimate to it. (The adversary who stays under the
threshold gets the shrunk pooling, at most ≈ r·√(1 − d/T) units along its
direction: a failed test adds nothing it could not get silently.)
"""

from __future__ import annotations

import numpy as np

from ..._dist import chi2
from ..._segments import block_task_rss, label_grams, task_blocks
from ..._select import weighted_median
from ...threat import ThreatModel, excess_limit, size_cap
from ._heavy_anchor import TEST_LEVEL, heavy_anchor, heavy_assignment
from ._misclass import KEEP_DRAWS_ROWS, example_weights, misclassification_bias, model_bias
from ._pull_trim import (ROW_CAP_LEVEL, _capped_ratio, _predicted_mse_ratio,  # noqa: F401
                         _well_posed, capped_grams, top_directions, trimmed_all)
from .noise_check import _held, _posterior_levels, cross_check_noise, light_noise_se

__all__ = ["pool_estimates", "light_covariances", "capped_grams", "refit_noise", "use_heavy"]

#: A posterior-weighted ŝ²_ℓ below this share of its start fails the
#: refit's test (:func:`refit_noise`).
COLLAPSE = 0.5


#: The light pool moves a component's anchored ŵ_ℓ (within the pull) only
#: where the pooled estimate's clean mean squared error, predicted from the
#: fitted model, is at most this share of the heavy estimate's
#: (:func:`pool_estimates`, module notes).
PULL_GAIN = 0.5

#: ... and only where the same ratio without the ⌊αn⌋ light tasks of the
#: component that add most to its capped Gram along the predicted bias b̂
#: is at most this (:func:`~._pull_trim.trimmed_all`; :func:`pool_estimates`).
TRIM_GAIN = 0.75

#: Tasks summed at once by :func:`light_covariances`.
_TASK_BLOCK = 1 << 18


def light_covariances(data, labels, k, weights_by_task=True, gram=None):
    """Per component, the Gram ``G_ℓ = Σ c_i x_jx_jᵀ`` of the light pool's
    (capped) least squares and the factor κ_ℓ of its clean covariance
    s²·κ_ℓ·G_ℓ⁻¹.

    The sandwich covariance s²G⁻¹(Σ c_i² x_jx_jᵀ)G⁻¹ is taken with
    Σ c_i² x_jx_jᵀ ≈ κ G, κ = Σ c_i² t_i / Σ c_i t_i (the weights do not
    depend on the covariates), so one pass over the pool suffices; κ = 1 for
    equal sizes.

    Parameters
    ----------
    data : MetaDataset
        Light tasks.
    labels : ndarray of int (n,)
        Component of each task kept by the regression (−1 = out).
    k : int
    weights_by_task : bool
        Example weights c = min(t_i, t_cap)/t_i (the task filter's); False:
        unit weights.
    gram : ndarray (k, d, d), optional
        The Grams when the stage's fit has already summed them (no pass).

    Returns
    -------
    gram : ndarray (k, d, d)
    kappa : ndarray (k,)
    """
    c = example_weights(data, weights_by_task)
    if gram is None:
        gram = _light_grams(data, labels, k, c)
    labels, off = np.asarray(labels), data.offsets
    num, den = np.zeros(k), np.zeros(k)
    # by blocks of tasks: ``np.add.at`` adds in index order, as ``np.bincount``
    # over all tasks does (the same sums), without per-task copies of the pool
    for a in range(0, labels.size, _TASK_BLOCK):
        e = min(a + _TASK_BLOCK, labels.size)
        ok = labels[a:e] >= 0
        lab, t, cb = labels[a:e][ok], (off[a + 1:e + 1] - off[a:e])[ok], c[a:e][ok]
        np.add.at(num, lab, cb ** 2 * t)
        np.add.at(den, lab, cb * t)
    return gram, num / np.maximum(den, 1e-300)


def _light_grams(data, labels, k, c):
    """Σ c_i x_j x_jᵀ per label by one blocked pass."""
    row_w = None if np.all(c == 1.0) else np.sqrt(np.repeat(c, data.sizes))
    off, d = data.offsets, data.dim
    gram = np.zeros((k, d, d))
    # block by block (a screened pool scales each block as it is read, never
    # all of X at once)
    for a, e in task_blocks(off, data._row_bytes):
        Xb, yb = data._block(off[a], off[e])
        if row_w is not None:
            Xb = Xb * row_w[off[a]:off[e], None]
        gram += label_grams(Xb, yb, off[a:e + 1] - off[a], labels[a:e], k)[0]
    return gram


def _noise_at(light, labels, W, comps):
    """ŝ²_ℓ at W for components ``comps``: the size-weighted (capped) median
    of RSS_i/median(χ²_{t_i}) over the tasks classified to ℓ, as
    :func:`~.robust.robust_noise`, from one pass over the pool (none when
    ``comps`` is empty)."""
    if len(comps) == 0:
        return {}
    cap, off = size_cap(light.sizes), light.offsets
    labels = np.asarray(labels)
    parts = {c: ([], []) for c in comps}
    # each block's ratios kept only for its tasks of the components asked
    # (no n × k array of the pool)
    for a, e, rss in block_task_rss(light, W):
        t = off[a + 1:e + 1] - off[a:e]
        ratio = rss / chi2.median(t)[:, None]
        weight = np.minimum(t, cap).astype(float)
        lab = labels[a:e]
        for c in comps:                                # loop over components only
            sel = lab == c
            parts[c][0].append(ratio[sel, c])
            parts[c][1].append(weight[sel])
    out = {}
    for c in comps:
        r = np.concatenate(parts[c][0]) if parts[c][0] else np.empty(0)
        if r.size:
            out[c] = weighted_median(r, np.concatenate(parts[c][1]))
    return out


def pool_estimates(W_light, light_gram, light_kappa, W_heavy, heavy_gram, s2_heavy,
                   unsupported=(), bias=None, pull=1.0, predicted_bias=None, ratio_gram=None,
                   trimmed=None):
    """Precision-weighted combination with the consistency test.

    Parameters
    ----------
    W_light : ndarray (d, k)
    light_gram : ndarray (k, d, d), light_kappa : ndarray (k,)
        :func:`light_covariances`.
    W_heavy : ndarray (d, k)
        NaN columns: no anchor (the light estimate is kept).
    heavy_gram : ndarray (k, d, d)
    s2_heavy : ndarray (k,)
    unsupported : sequence of int
        Components without light tasks: the anchor alone (also when the
        light Gram is singular).
    bias : callable, optional
        ``bias(comps) -> (B, B_model)``, two estimates (d, k) of the clean
        bias of the light estimates, on the pool's responses and on
        responses drawn from the fitted model
        (:func:`~._misclass.misclassification_bias`,
        :func:`~._misclass.model_bias`), asked for the components whose √T
        exceeds √q: the test fails only when √T exceeds √q plus the smaller
        of their Mahalanobis norms (module notes).
    pull : float
        The radius r in units of √median χ²_d (0: ŵ_H alone).
    predicted_bias : callable, optional
        ``predicted_bias(comps) -> B`` (d, k), the light estimates' clean
        bias predicted on responses drawn from the fitted model
        (:func:`~._misclass.model_bias`), asked for every component pooled:
        a component whose pooled estimate would not gain clean precision
        (predicted mean squared error over ŵ_H's above :data:`PULL_GAIN`)
        keeps ŵ_H alone (pull 0; module notes).
    ratio_gram : ndarray (k, d, d), optional
        The light Grams the predicted ratio reads Σ_L from (default
        ``light_gram``): :func:`capped_grams`, each row counted at most as a
        clean row at a high quantile of ‖x‖² (Notes). The pooling and the
        test use ``light_gram``.
    trimmed : callable, optional
        ``trimmed(cs, B) -> {c: [(gram, b), ...]}``: per component c of ``cs``
        the ratio's Gram and bias with the ⌊αn⌋ tasks of largest capped
        contribution along b̂ (B's column c; and the Gram's top directions)
        left out (:func:`~._pull_trim.trimmed_all`; gram None: nothing left),
        asked once for those whose ratio is at most :data:`PULL_GAIN`: the
        pull is taken only when the largest is at most :data:`TRIM_GAIN` (Notes).

    Returns
    -------
    W : ndarray (d, k)
        The pooled estimates; ŵ_H alone where the test failed.
    info : dict
        ``statistic`` T per component (NaN: not tested), ``threshold`` q,
        ``bias_allowance`` β and ``bias_norm`` (2, k) (the two estimates'
        norms; zero where not asked), ``shrunk`` per component,
        ``light_weight`` (trace share of the light precision; 0 where the
        test failed or the pull is 0), ``failed`` per component,
        ``passed``, ``pull`` per component (the radius's c), ``radius2``
        (r² of the configured pull; a component whose pull is 0 used 0),
        ``mse_ratio`` (the predicted ratio; NaN where not asked) and
        ``mse_ratio_trimmed`` (the same without the ⌊αn⌋ tasks along b̂;
        NaN where not asked, i.e. where ``mse_ratio`` already said no; inf:
        nothing left), ``predicted_bias`` (d, k) (the b the ratio reads;
        NaN where not asked).

    Notes
    -----
    The ratio reads Σ_L from a Gram the light tasks write: rows within the
    screen's norm limit (up to ≈ 2.8 times a clean row's ‖x‖² on the
    default problem) each count as that many clean rows, and ⌊αn⌋ tasks of
    the attacked component rewritten with such rows raised its light
    precision enough to bring a predicted 1.05–1.17 down to 0.44–0.50 and
    the pull back (the red team's ``flip_gram``, light sizes 2–64). With
    ``ratio_gram`` from :func:`capped_grams` a row counts at most as a clean
    row at the (1 − α)·0.9 task-weighted quantile of ‖x‖², which ⌊αn⌋
    tasks can raise only to the clean law's 0.9 quantile (1.33 × the mean
    for Gaussian rows in d = 32). Their tasks then add at most
    ⌊αn⌋·t_cap·τ to the Gram's trace (t_cap: :func:`~...threat.size_cap`),
    as many clean tasks of the capped size would up to τ/E‖x‖², and for a
    near-isotropic clean G (tr G⁻¹ ≥ d²/tr G) tr Σ_L falls by at most
    the factor tr G/(tr G + ⌊αn⌋·t_cap·τ). Which tasks, how many and their
    sizes stay the adversary's (at most 2α of the capped weight). The trace
    does not bound them along b̂, which drives the ratio's bias part: with
    ``trimmed`` the ratio without the ⌊αn⌋ tasks of most capped weight along
    b̂ must be at most :data:`TRIM_GAIN` too (:mod:`._pull_trim`).
    """
    d, k = W_light.shape
    q = float(chi2.isf(TEST_LEVEL / k, d))
    radius2 = pull ** 2 * float(chi2.median(d))
    W = W_light.copy()
    stat, shrunk, share = np.full(k, np.nan), np.zeros(k, bool), np.full(k, np.nan)
    allow, bias_norm, S_inv = np.zeros(k), np.zeros((2, k)), np.zeros((k, d, d))
    pulls, ratio = np.full(k, float(pull)), np.full(k, np.nan)
    ratio_trim = np.full(k, np.nan)
    pooled = []
    for c in range(k):                                 # loop over components only
        if not np.all(np.isfinite(W_heavy[:, c])):
            continue
        if c in unsupported or not _well_posed(light_gram[c]):   # no light estimate to pool
            W[:, c], share[c] = W_heavy[:, c], 0.0
            continue
        pooled.append(c)
    B = predicted_bias(pooled) if predicted_bias is not None and pooled and pull > 0 else None
    covs = {}
    for c in pooled:                                   # loop over components only
        s2 = s2_heavy[c]
        cov_l = s2 * light_kappa[c] * np.linalg.inv(light_gram[c])
        cov_h = s2 * np.linalg.inv(heavy_gram[c])
        prec_l = np.linalg.inv(cov_l)
        covs[c] = cov_l, cov_h, prec_l, prec_l + np.linalg.inv(cov_h)
        if B is not None:
            if ratio_gram is None:
                ratio[c] = _predicted_mse_ratio(*covs[c], B[:, c])
            elif _well_posed(ratio_gram[c]):           # Σ_L from the capped rows (Notes)
                ratio[c] = _capped_ratio(ratio_gram[c], s2 * light_kappa[c], cov_h, B[:, c])
            else:                       # τ = 0 (most rows zero): no capped precision
                ratio[c] = np.inf
    # ⌊αn⌋ tasks along b̂ out, asked once for all (one pair of passes over the pool)
    asked = [c for c in pooled if ratio[c] <= PULL_GAIN] if trimmed is not None else []
    trims = trimmed(asked, B) if asked else {}       # (none asked when B is None: ratio NaN)
    for c in pooled:                                   # loop over components only
        s2 = s2_heavy[c]
        cov_l, cov_h, prec_l, prec = covs[c]
        if B is not None:
            if c in trims:
                ratio_trim[c] = max(np.inf if g_t is None else _capped_ratio(
                    g_t, s2 * light_kappa[c], cov_h, b_t) for g_t, b_t in trims[c])
            if not ratio[c] <= PULL_GAIN or ratio_trim[c] > TRIM_GAIN:    # nothing to buy
                pulls[c] = 0.0
        r2 = pulls[c] ** 2 * float(chi2.median(d))
        D = W_light[:, c] - W_heavy[:, c]
        S_inv[c] = np.linalg.inv(cov_l + cov_h)
        stat[c] = float(D @ S_inv[c] @ D)
        if stat[c] > r2:
            D, shrunk[c] = D * np.sqrt(r2 / stat[c]), True
        W[:, c] = W_heavy[:, c] + np.linalg.solve(prec, prec_l @ D)
        share[c] = float(np.trace(prec_l) / np.trace(prec)) if pulls[c] > 0 else 0.0
    over = np.flatnonzero(np.nan_to_num(stat) > q)
    if over.size and bias is not None:
        norms = [np.sqrt(np.maximum(np.einsum("dc,cde,ec->c", B[:, over], S_inv[over],
                                              B[:, over]), 0.0)) for B in bias(over)]
        bias_norm[:, over] = norms
        allow[over] = np.min(norms, axis=0)
    failed = np.sqrt(np.nan_to_num(stat)) > np.sqrt(q) + allow
    # the light estimate shown inconsistent: the anchor alone (module notes)
    W[:, failed], share[failed] = W_heavy[:, failed], 0.0
    return W, {"statistic": stat, "threshold": q, "bias_allowance": allow,
               "bias_norm": bias_norm, "radius2": radius2,
               "shrunk": shrunk, "light_weight": share, "failed": failed,
               "passed": not bool(failed.any()), "pull": pulls, "mse_ratio": ratio,
               "mse_ratio_trimmed": ratio_trim,
               "predicted_bias": B if B is not None else np.full((d, k), np.nan)}


def refit_noise(light, labels, W, s2, p, unsupported=()):
    """ŝ² of the light pool refitted at the final W from every task weighted
    by its posterior (:func:`~.noise_check.posterior_noise`); components in
    ``unsupported`` (no light task, W from the clustering) and those without
    an estimate keep theirs. Returns ``(s2, info)``, info holding the
    estimates over the classified tasks (``s2_classified``), the levels the
    refit started from (``start``, the medians over the tasks each ŵ_ℓ fits
    best) and ``collapsed``: the components whose posterior-weighted median
    fell below ``COLLAPSE`` × its start (held at the start; a failed test:
    :func:`~.noise_check.posterior_noise`, Notes)."""
    s2 = np.asarray(s2, dtype=float)
    refined, start = _posterior_levels(light, labels, W, p)
    new = _held(refined, start)
    use = np.isfinite(new) & np.isfinite(s2)
    use[list(unsupported)] = False
    with np.errstate(invalid="ignore"):
        collapsed = use & np.isfinite(refined) & (refined < COLLAPSE * start)
    return np.where(use, new, s2), {"s2_classified": s2, "refitted": use, "start": start,
                                    "collapsed": collapsed}


def _fabricable(labels, kept_labels, k, alpha, unsupported=()):
    """Fitted components that kept no more light tasks than the adversary
    may write (αn plus the Binomial margin: every one can be its), or whose
    filter took it from more than 2⌊αn⌋ classified tasks to 2⌊αn⌋ or fewer
    (the adversary's ⌊αn⌋ tasks may then be half or more of what it kept).

    Without the heavy anchor nothing else tells such a component's estimate
    from the adversary's. On the small-heavy problem (d 64, k 8, α = 0.05,
    20 000 light-2 tasks) a light-1 variance hiding, a heavy midpoint and
    noisy (0.4·s) light-2 edge placement left 994 light tasks to one
    component's fit, its ŵ at the adversary's vector (0.52·s); decoys that
    steered a median step along the light gradients (since removed) had
    the filter remove 1 095 of a
    component's ≈ 2 400 classified tasks, leaving 1 116–1 204 of which
    about 1 000 were the adversary's (0.47–0.51·s, silent under the first
    test alone). A robust location breaks down at one half, and a filter
    whose location the adversary holds removes clean tasks. A component
    the classification alone leaves at 2⌊αn⌋ or fewer (hard classification
    at small t) is held to the first test only: clean fits of many
    components with few examples per task do that (the authors' sine-wave
    problem, k = 8, t = 4)."""
    labels, kept = np.asarray(labels), np.asarray(kept_labels)
    n = kept.size

    def counts(lab):
        return np.bincount(lab[lab >= 0], minlength=k)[:k]
    classified, kept_n = counts(labels), counts(kept)
    half = 2 * ThreatModel(alpha).budget(n)
    small = (kept_n > 0) & ((kept_n <= excess_limit(alpha, n))
                            | ((kept_n <= half) & (classified > half)))
    small[list(unsupported)] = False
    return np.flatnonzero(small).tolist()


def use_heavy(light, labels, kept_labels, heavy, W, s2, p, alpha, rng, *, anchor, cross_check,
              unsupported=(), weights_by_task=True, light_gram=None, noise_refit="never",
              pull=1.0, noise_pull=0.0):
    """What a robust regression stage takes from the heavy pool: the anchor
    (ŵ pooled with the heavy estimate, ŝ² refitted at the pooled ŵ) and the
    heavy ŝ² cross-check, each only when the heavy assignment is reliable.

    Parameters
    ----------
    light : MetaDataset
        The light pool the stage fitted.
    labels, kept_labels : ndarray of int (n,)
        Components of the light tasks from classification, and after the
        stage's removals (−1 = out).
    heavy : MetaDataset
    W, s2, p : ndarray
        The light estimates (d, k), (k,), (k,).
    alpha : float
    rng : Generator
    anchor, cross_check : bool
        Which of the two to apply.
    unsupported : sequence of int
        Components no light task supports (W from the clustering).
    weights_by_task : bool
        The stage's least squares weights examples by the capped task size.
    light_gram : ndarray (k, d, d), optional
        The stage's Σ c_i x_j x_jᵀ per component of ``kept_labels``, when
        its fit summed them (:func:`light_covariances` then reads no rows).
    noise_refit : {"never", "auto", "always"}
        Refit the light ŝ² at the final ŵ from every task weighted by its
        posterior (:func:`refit_noise`) before the cross-check: ``"auto"``
        only when the light estimate enters the result, i.e. the
        cross-check does not run or pools it (``noise_pull`` > 0).
    pull : float
        :func:`pool_estimates`' radius in units of √median χ²_d.
    noise_pull : float
        :func:`~.noise_check.cross_check_noise`'s radius in units of the
        clean spread σ_D of the light–heavy ŝ² difference (0: the heavy
        median alone where the cross-check runs).

    Returns
    -------
    W, s2 : ndarray
    info : dict
        ``"heavy_assignment"`` (``reliable``, ``expected_misassigned``),
        ``"anchor"`` (per-component heavy records and the combination's
        test), ``"posterior_noise"`` and ``"noise_check"``; ``passed`` is False when a consistency
        test or a heavy filter failed.
    """
    k = W.shape[1]
    hlabels, reliable, expected = heavy_assignment(heavy, W, s2, p, alpha)
    info = {"heavy_assignment": {"reliable": reliable, "expected_misassigned": expected},
            "passed": True}
    if anchor and reliable:
        target = W.copy()
        target[:, list(unsupported)] = np.nan            # no light estimate to point at
        gram_l, kappa_l = light_covariances(light, kept_labels, k, weights_by_task,
                                            light_gram)
        # Σ_L⁻¹ = G_L/(s²κ): a component without an anchor is tested against its heavy tasks
        with np.errstate(divide="ignore", invalid="ignore"):
            prec_l = gram_l / kappa_l[:, None, None]
        W_h, grams, s2_h, comp = heavy_anchor(heavy, hlabels, k, alpha, rng, light.sizes, p,
                                              target, pull=pull, light_precision=prec_l)
        # the model the pull's gain is predicted under: the heavy estimates,
        # which the light tasks do not move (the light ŵ where there is none)
        W_m = np.where(np.isfinite(W_h), W_h, W)
        s2_m = np.where(np.isfinite(s2_h), s2_h, s2)
        # the ratio's Σ_L and b from rows capped at a clean quantile of ‖x‖²,
        # and again without the ⌊αn⌋ tasks (of the whole pool: the adversary
        # may put all of them in one component) that add most along b̂
        gram_r, tau = capped_grams(light, kept_labels, k, alpha, weights_by_task) \
            if pull > 0 else (gram_l, None)
        n_top, parts = ThreatModel(alpha).budget(len(kept_labels)), {}
        # the trims' row weights, kept between their passes (a pool of ≤ 2²⁴
        # rows: ≤ 0.2 GB, freed on return)
        rows_memo = {} if light.n_examples <= KEEP_DRAWS_ROWS else None

        def predicted(comps):
            # a child stream: the prediction leaves the fit's own draws as they were
            B, sums = model_bias(light, W_m, s2_m, p, gram_r, comps, rng.spawn(1)[0],
                                 weights_by_task, parts=True)
            parts.update(sums)
            return B
        W_new, comb = pool_estimates(
            W, gram_l, kappa_l, W_h, grams, s2_h, unsupported,
            lambda comps: (misclassification_bias(light, kept_labels, W, s2, p, gram_l, comps,
                                                  weights_by_task),
                           model_bias(light, W, s2, p, gram_l, comps, rng, weights_by_task)),
            pull, predicted, ratio_gram=gram_r,
            # along b̂ and along the capped Gram's top directions (where b shrinks
            # most when ⌊αn⌋ tasks write them: b̂ then turns away; a decoy may hold
            # the first, so a task counts by its largest contribution along any)
            trimmed=lambda cs, B: dict(zip(cs, trimmed_all(
                light, kept_labels, [(c, gram_r[c], B[:, c], W_m[:, c],
                                      (None, top_directions(gram_r[c]))) for c in cs],
                parts, n_top, tau, weights_by_task, rows_memo))))
        s2 = s2.copy()
        moved = [c for c in np.flatnonzero(np.any(W_new != W, axis=0)) if c not in unsupported]
        for c, v in _noise_at(light, labels, W_new, moved).items():
            s2[c] = v
        heavy_ok = all(r.get("passed", True) for r in comp)
        info["anchor"] = dict(comb, W_light=W, W_heavy=W_h, s2_heavy=s2_h, heavy=comp,
                              heavy_passed=heavy_ok)
        info["passed"] = comb["passed"] and heavy_ok
        W = W_new
    elif anchor:
        # no heavy bound on what the light tasks do: the filter's clipped,
        # density-weighted refit stands alone
        own = _fabricable(labels, kept_labels, k, alpha, unsupported)
        info["anchor"] = {"skipped": "heavy assignment unreliable", "fabricable": own}
        info["passed"] = info["passed"] and not own
    checked = cross_check and reliable
    if noise_refit == "always" or (noise_refit == "auto" and not (checked and noise_pull == 0)):
        s2, info["posterior_noise"] = refit_noise(light, labels, W, s2, p, unsupported)
        info["passed"] = info["passed"] and not info["posterior_noise"]["collapsed"].any()
    if checked:
        s2, info["noise_check"] = cross_check_noise(heavy, None, W, s2,
                                                    se_light=light_noise_se(light, labels, s2),
                                                    pull=noise_pull)
    elif cross_check:
        info["noise_check"] = {"skipped": "heavy assignment unreliable"}
    return W, s2, info
