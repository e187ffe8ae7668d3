"""Robust locations along the heavy filter's leading directions (private module).

The anchor filter (:mod:`._pooled`) stops when the top eigenvalue of the
kept tasks' whitened second moment is under the Marchenko–Pastur edge plus
a Tracy–Widom margin. That bounds the *variance* the corrupted tasks may add
in any direction, not where the clean tasks left sit: an adversary who
replaces the component's tasks lying furthest against a direction v leaves
a truncated clean sample (its mean leaning along v, its spread along v
below 1) and fills the room under the stop level with tasks shifted along
v. The mean of the kept tasks then moves by the selection and the shift
together (≈ 0.17·s at α = 0.05 in the default problem, four times the
heavy pool's two-point floor).

In one dimension the median is near-optimal against replacement: with a
share ε of the tasks replaced, it moves by at most the clean law's quantile
gap Φ⁻¹(1/2 + ε) whatever the replaced tasks and the removed ones are
(≈ 0.58 whitened units for the attack above, against ≈ 1.3 for the mean).
The adversary has to put its shift where its tasks raise the spread up to
the stop level, so the direction of the move is (near) the top eigenvector
of the kept tasks' whitened second moment. After the filter, the top
eigenvector v of mean z_i z_iᵀ is mapped to the parameter direction
e ∝ M⁻¹v by the mean whitening map M = mean L_iᵀ (a shift δe of every fit
moves the scores by δMe/ŝ). Along e the fits' coordinates
x_i = eᵀ(β_i − μ̂) have the known clean sd ŝσ_i, σ_i = √(eᵀA_i⁻¹e).

**Replacement, by a ramp.** Along e the weighted median (weights 1/σ_i)
and the mean (x = 0 at μ̂) differ by √(π/2 − 1)·ŝσ/√m in sd for Gaussian
draws (σ = median σ_i); with x = |median|/se that skew in standard errors,
μ̂ moves along e by the share g(x) = clip((x − a)/(b − a), 0, 1) of the way
to the Huber location of the x_i with the known scales (constant
:data:`HUBER_K` = 0.5 whitened units; reweighting from the median),
a = :data:`SKEW_FROM` = 2, b = :data:`SKEW_SES` = 4, over :data:`N_ROUNDS`
rounds (e recomputed at the new centre, where the shifted tasks stand
further out and the top eigenvector turns toward them). A switch at b (the
location taken only above b standard errors) let an adaptive adversary sit
just under it with the mean b standard errors beyond the median. Under the
ramp the mean's excess left over the location, (1 − g(x))·x standard
errors, is at most a (at x = a; x(b − x)/(b − a) ≤ a on [a, b] for b ≤ 2a),
so it is bounded and continuous in the attack. The ramp starts at two
standard errors because along the *top* eigenvector the clean sample is
skewed by the selection (a few extreme fits make the direction, and the
bulk sits on their other side): the median there is off by several
standard errors on clean data (0.048·s against the mean's 0.026·s on one
component of the default problem), so taking the location in full on
every pool costs clean accuracy. ``median_directions`` counts the directions
beyond b (g = 1).

**Bound.** With a share ε of the component's kept tasks replaced, the
worst case for the location along e (the ε clean tasks lowest along e
removed, the replaced ones beyond b + k) is the root b of

    ∫_{z > Φ⁻¹(ε)} ψ_k(z − b) dΦ(z) + ε·k = 0,   ψ_k(r) = max(−k, min(k, r)),

in whitened units (σ_i equal; the ramp's b above is another b):
b = Φ⁻¹(1/2 + ε) for the median (k → 0);
at ε = 0.2, 0.546 for k = 0.5 and 0.612 for k = 1 (median 0.524); at
ε = 0.09, 0.237 and 0.266 (median 0.228). It holds whatever the replaced
tasks are and grows smoothly with ε; in units of s it is b·ŝσ/s ≈ b/√t_H
on top of the clean sample's own error along e (≈ 0.048·s at t_H = 128,
ε = 0.2). k = 0.5 keeps Huber's Gaussian efficiency near 0.8 along the one
direction (the other d − 1 keep the mean). With the ramp the location
along e is within this bound plus a = 2 standard errors (≈ 0.014·s at
m = 90, t_H = 128). Along directions other than e the mean stands, held by
the eigenvalue level. (Medians along
the direction from the fits' geometric median to the mean were tried: that
direction is chosen where the two differ most, so on clean data it moves μ̂
by the whole d-dimensional gap, and with heterogeneous sizes it made the
heavy estimate worse under attack.)

**Along the light estimate.** The top eigenvector can be a decoy: tasks
spread ⊥ to the shift up to the stop level lead the spread while the shift
itself, along u, stays below it. The light estimate points at u whenever
the adversary also moves the light pool along the heavy shift (the move
that adds the light pull to the heavy error): after the rounds the same
ramped step is taken along u = (ŵ_L − μ̂)/‖ŵ_L − μ̂‖, one fixed direction,
so its clean skew is one draw of N(0, 1) standard errors, and only where
the median lies behind the mean, away from the light estimate (the ramp
starts on 2.3 % of clean components, and then moves μ̂ by a fraction of a
standard error). A median nearer the light estimate than the mean is left
alone: a spike of heavy tasks near the centre (≲ 1 whitened unit) moves
the median further than the mean, and taking it would move ŵ_H toward a
light pool placed beyond it. Its share also caps the light pull along u in the
pooling. Default problem, α = 0.05, the eighth red team's orthogonal
leakage with the light pool aligned: 0.197 → 0.138; clean fits of seeds
0–4 unchanged to the printed digits but two (hetero, α = 0.02: one ŝ²
0.0114 → 0.0121, one ŵ 0.0569 → 0.0533).

The pooling's clean covariance of ŵ_H stays the mean's (the light–heavy
test is then the stricter by at most Huber's variance factor, ≈ 1.26 at
k = 0.5, along e). The direction e is returned: the pooling caps the
light pool's pull along it (:func:`~._pooled.pool_estimates`).
"""

from __future__ import annotations

import numpy as np

from ..._linalg import top_eigvecs
from ..._select import weighted_median

#: Leading eigenvectors of the kept scores' second moment used per round.
N_DIRECTIONS = 1
#: Rounds (directions recomputed at the new centre).
N_ROUNDS = 2
#: Clean standard errors of median − mean from which the location is taken in full.
SKEW_SES = 4.0
#: Clean standard errors of median − mean below which the mean is kept.
SKEW_FROM = 2.0
#: Huber's constant of the replacement location, in whitened units.
HUBER_K = 0.5


def _median(values, weights):
    """Average of the lower and upper weighted medians."""
    return 0.5 * (weighted_median(values, weights) - weighted_median(-values, weights))


def _medians(E, Wh, beta, mu):
    """Weighted medians of eᵀ(β_i − μ̂), weights 1/σ_i, σ_i = √(eᵀA_i⁻¹e), per
    column e of E; and the σ_i (m, r)."""
    X = (beta - mu) @ E                                          # (m, r)
    sig = np.linalg.norm(np.einsum("nij,jr->nir", Wh, E), axis=1)   # √(eᵀA_i⁻¹e)
    return np.array([_median(X[:, j], 1.0 / np.maximum(sig[:, j], 1e-300))
                     for j in range(E.shape[1])]), sig          # loop over directions only


def _huber(E, Wh, beta, mu, scale, start):
    """Huber locations (constant :data:`HUBER_K`) of eᵀ(β_i − μ̂) with the
    known scales ŝσ_i, per column e of E, by reweighting from ``start``."""
    X = (beta - mu) @ E
    sig = scale * np.linalg.norm(np.einsum("nij,jr->nir", Wh, E), axis=1)
    loc = np.asarray(start, float).copy()
    for _ in range(30):                                   # fixed-point iterations
        r = np.abs(X - loc) / sig
        w = np.minimum(1.0, HUBER_K / np.maximum(r, 1e-300)) / sig ** 2
        loc = np.sum(w * X, axis=0) / np.sum(w, axis=0)
    return loc


def median_directions(A, Wh, z, n_dir=N_DIRECTIONS):
    """Orthonormal parameter directions (d, r): the top ``n_dir`` whitened
    eigenvectors of mean z_i z_iᵀ mapped by the mean whitening map."""
    m, d = z.shape
    V, _ = top_eigvecs(z.T @ z / m, min(n_dir, d))
    # z_i = L_iᵀ(β_i − μ̂)/ŝ and L_iᵀ = L_i⁻¹A_i: a shift δe of every fit
    # shows as δ·mean(L_iᵀ)e in the scores, so e ∝ mean(L_iᵀ)⁻¹v
    M = np.einsum("nij,njk->ik", Wh, A) / m
    E = np.linalg.solve(M, V)
    Q, R = np.linalg.qr(E)
    keep = np.abs(np.diagonal(R)) > 1e-10 * np.abs(R).max()
    return Q[:, keep]


def median_step(A, Wh, z, beta, mu, s2, n_dir=N_DIRECTIONS, target=None):
    """Move μ̂ along :func:`median_directions` toward the Huber location of
    the fits by a share that ramps up with their median–mean skew, over
    :data:`N_ROUNDS` rounds (module notes).

    Parameters
    ----------
    A, Wh : ndarray (m, d, d)
        Kept tasks' Grams and whitening maps L_i⁻¹.
    z : ndarray (m, d)
        Their whitened scores at ``mu``.
    beta : ndarray (m, d)
        Their least-squares fits.
    mu : ndarray (d,)
        The filter's estimate.
    s2 : float
        The heavy noise estimate ŝ².
    n_dir : int
        Directions per round.
    target : ndarray (d,), optional
        The light estimate: after the rounds, the same ramped step along
        u = (target − μ̂)/‖target − μ̂‖ (module notes, "Along the light
        estimate").

    Returns
    -------
    mu : ndarray (d,)
    info : dict
        ``median_shift``, ‖Δμ̂‖ in units of a typical fit's noise sd per
        direction; ``median_directions``, the directions over the rounds
        where median and mean differed by more than :data:`SKEW_SES` clean
        standard errors (the location taken in full); ``median_axis``, the
        last round's first direction (d,), unit norm; ``light_axis`` u
        (zero without a target) and ``light_share``, the ramp's share
        along it.
    """
    m = beta.shape[0]
    mu0, scale = mu, np.sqrt(max(s2, 1e-300))
    skewed = 0
    for _ in range(N_ROUNDS):                                  # a few rounds only
        # scores at the current centre: after a round the moved tasks stand
        # further out, and the top eigenvector turns toward them
        zc = z - np.einsum("nij,nj->ni", Wh, A @ (mu - mu0)) / scale
        E = median_directions(A, Wh, zc, n_dir)
        delta, sig = _medians(E, Wh, beta, mu)
        # median − mean of m clean N(0, σ²) draws has sd √(π/2 − 1)·σ/√m
        se = np.sqrt(np.pi / 2 - 1) * scale * np.median(sig, axis=0) / np.sqrt(m)
        skew = np.abs(delta) / se
        skewed += int(np.sum(skew > SKEW_SES))
        # a ramp, not a gate: the share of the robust location's move taken
        # grows linearly from SKEW_FROM to SKEW_SES standard errors (module notes)
        share = np.clip((skew - SKEW_FROM) / (SKEW_SES - SKEW_FROM), 0.0, 1.0)
        if share.any():
            mu = mu + E @ (share * _huber(E, Wh, beta, mu, scale, delta))
    u, u_share = np.zeros_like(mu), 0.0
    if target is not None and np.all(np.isfinite(target)) and np.any(target != mu):
        u = (target - mu) / np.linalg.norm(target - mu)
        delta, sig = _medians(u[:, None], Wh, beta, mu)
        se = np.sqrt(np.pi / 2 - 1) * scale * np.median(sig, axis=0) / np.sqrt(m)
        # only a median behind the mean, away from the light estimate: one
        # closer to it would move ŵ_H toward a light pool placed with a heavy
        # spike near the centre (there the median's bias exceeds the mean's)
        u_share = float(np.clip((-delta[0] / se[0] - SKEW_FROM)
                                / (SKEW_SES - SKEW_FROM), 0.0, 1.0))
        if u_share > 0:
            mu = mu + u * (u_share * _huber(u[:, None], Wh, beta, mu, scale, delta)[0])
    # a typical fit's noise sd per direction, ŝ/√(median tr(A_i)/d)
    unit = scale / np.sqrt(float(np.median(np.trace(A, axis1=1, axis2=2))) / A.shape[1])
    return mu, {"median_shift": float(np.linalg.norm(mu - mu0) / unit),
                "median_directions": skewed, "median_axis": E[:, 0],
                "light_axis": u, "light_share": u_share}


def cap_pull(pull, v, share, cov, cap):
    """Cap the light pool's pull along a unit direction.

    Parameters
    ----------
    pull : ndarray (d,)
        The light pull Q·D' of the pooling.
    v : ndarray (d,) or None
        Unit direction (None or zero: no cap).
    share : float
        Share of the excess beyond the cap removed (1: a hard cap).
    cov : ndarray (d, d)
        The pull's clean covariance.
    cap : float
        Allowed pull along ``v`` in clean standard deviations.

    Returns
    -------
    pull : ndarray (d,)
    cut : float
        The part removed, in clean standard deviations.
    """
    if v is None or share <= 0 or not np.any(v):
        return pull, 0.0
    sd = float(np.sqrt(max(v @ cov @ v, 1e-300)))
    a = float(v @ pull)
    over = a - np.clip(a, -cap * sd, cap * sd)
    return pull - v * (share * over), share * abs(over) / sd
