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
:data:`N_DIRECTIONS` eigenvectors v of mean z_i z_iᵀ are mapped to
parameter directions e ∝ M⁻¹v by the mean whitening map M = mean L_iᵀ (a
shift δe of every fit moves the scores by δMe/ŝ) and orthonormalised. Along
each e the fits' coordinates x_i = eᵀ(β_i − μ̂) have the known clean sd
ŝσ_i, σ_i = √(eᵀA_i⁻¹e); their weighted median (the location minimising
Σ_i |x_i − δ|/σ_i, the average of the lower and upper weighted medians) is
compared with the mean (x = 0 at μ̂).

**Detection.** For Gaussian scores the median and the mean of one sample
differ by √(π/2 − 1)·σ/√m in sd, and the residuals' second moment, and so
the directions, are independent of the mean. Where the two differ by more
than :data:`SKEW_SES` such standard errors (ŝ·median σ_i for σ) the sample
is skewed along e, as a truncated sample with shifted tasks beyond it is
(≈ 0.66 whitened units against a standard error ≈ 0.08 at m = 90, the
attack above). On clean data this does not happen (none in the default
problem's seeds): the estimate, its covariance and the golden outputs stay
the filter's.

**Replacement.** Where the sample is skewed, μ̂'s component along e is
replaced by the Huber location with the known scales (constant
:data:`HUBER_K` = 1 whitened unit; reweighting from the median): each task
beyond k units pulls with a capped force, so tasks shifted far along e
(the attack above) count like the median's, while tasks placed near the
clean centre (δ ≲ 1 unit, where the median's bias, the quantile gap, would
exceed the mean's εδ) count like the mean's. The rounds are
:data:`N_ROUNDS`: the directions are recomputed at the new centre, where
the shifted tasks stand further out and the top eigenvector turns toward
them. The light–heavy disagreement is not among the directions: a location
along it, orthogonalised against the eigenvectors (or they against it),
splits the move over two coordinates, each of whose robust locations then
corrects only part of it (measured on the truncation attack with medians:
0.145·s and 0.137·s left, against 0.12·s with the eigenvectors alone).

The pooling's clean covariance of ŵ_H stays the mean's: where the location
was replaced the heavy pool showed the skew of a corrupted sample, and the
light–heavy test is then the stricter by at most Huber's variance factor
(≈ 1.2 at k = 1) in those directions.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import top_eigvecs
from ..._select import weighted_median

#: Leading eigenvectors of the kept scores' second moment tested per round.
N_DIRECTIONS = 3
#: Rounds (directions recomputed at the new centre).
N_ROUNDS = 2
#: Clean standard errors of median − mean beyond which the median is taken.
SKEW_SES = 4.0
#: Huber's constant of the replacement location, in whitened units.
HUBER_K = 1.0


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


def median_step(A, Wh, z, beta, mu, s2, n_dir=N_DIRECTIONS):
    """Replace μ̂'s component along :func:`median_directions` by the Huber
    location of the fits where their weighted median and μ̂ differ by more
    than :data:`SKEW_SES` clean standard errors (module notes), over
    :data:`N_ROUNDS` rounds.

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

    Returns
    -------
    mu : ndarray (d,)
    info : dict
        ``median_shift``, ‖Δμ̂‖ in units of a typical fit's noise sd per
        direction, and ``median_directions``, the directions replaced over
        the rounds.
    """
    m = beta.shape[0]
    mu0, scale = mu, np.sqrt(max(s2, 1e-300))
    replaced = 0
    for _ in range(N_ROUNDS):                                  # a few rounds only
        # scores at the current centre: after a round the moved tasks stand
        # further out, and the top eigenvector turns toward them
        zc = z - np.einsum("nij,nj->ni", Wh, A @ (mu - mu0)) / scale
        E = median_directions(A, Wh, zc, n_dir)
        delta, sig = _medians(E, Wh, beta, mu)
        # median − mean of m clean N(0, σ²) draws has sd √(π/2 − 1)·σ/√m
        se = np.sqrt(np.pi / 2 - 1) * scale * np.median(sig, axis=0) / np.sqrt(m)
        skew = np.abs(delta) > SKEW_SES * se
        if skew.any():
            delta = _huber(E, Wh, beta, mu, scale, delta)
        replaced += int(skew.sum())
        mu = mu + E @ np.where(skew, delta, 0.0)
    # a typical fit's noise sd per direction, ŝ/√(median tr(A_i)/d)
    unit = scale / np.sqrt(float(np.median(np.trace(A, axis1=1, axis2=2))) / A.shape[1])
    return mu, {"median_shift": float(np.linalg.norm(mu - mu0) / unit),
                "median_directions": replaced}
