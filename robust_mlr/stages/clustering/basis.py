"""The basis the robust learner clusters heavy tasks in: the light-pool
subspace U plus what the heavy tasks say U misses.

The subspace stage estimates span(W) from light tasks of two examples, where
a direction that separates two components can be weak: an adversary who
replaces the light tasks carrying most of the signal along w_a − w_b (their
tail along it) with tasks whose energy lies elsewhere can take that direction
out of U without any task looking unusual, and heavy clustering in U then
merges a and b. The heavy tasks see the same direction at t_H examples a
task. With b_i^(1), b_i^(2) the means of y·x over the two halves of task i,
projected off U,

    M = (1/n) Σ_i sym(b_i^(1) b_i^(2)ᵀ),   E[M] = P⊥ (Σ_c p_c w_c w_cᵀ) P⊥,

(the halves' noises are independent, so M is unbiased for what U misses and
zero when U is exact). A direction v that U lost carries the eigenvalue
Σ_c p_c ⟨v, w_c⟩², at least p_a p_b/(p_a + p_b)·⟨v, w_a − w_b⟩² when v
separates a and b. The tasks with the largest ‖b_i^(1)‖‖b_i^(2)‖ — as many as
the corrupted count can plausibly be, :func:`~robust_mlr.stages.screening.excess_limit`
— are left out of M, so ⌊αn⌋ tasks hold at most that share of the clean
range's energy in any direction; they cannot fill all k extra slots above a
lost separating direction. The basis is U followed by the top-k eigenvectors
of the trimmed M (2k columns, orthonormal): when U is exact the extra columns
are noise directions, which only add noise of order σ²/t_H per coordinate to
the clustering distances.

*Which extra directions are signal (``null_level``).* On clean pools at
small t_H the extra columns are the top of a noise spectrum (d 64, k 8,
t_H 4, n_H 20 000: eigenvalues 0.035–0.066·s² while what U misses of W
carries ≈ 0.01·s² a direction), so they take k directions nearly at
random, and whatever a direction u an adversary chooses has a chance
weight ‖Bᵀu‖ ≈ (k/(d − k))^{1/2} or more in the basis (0.56 in a measured
case); ⌊αn⌋ heavy tasks along u raise it further (0.65). An estimate
that is fitted in the basis — the robust moment estimator's light-task
EM — can then move a centre along u, which the basis U alone would not
let it see. A stage that passes ``null_level`` = c keeps an extra
direction v_j only where its eigenvalue λ_j exceeds c·ν, ν the spectral
norm of the same trimmed moment with random task signs,

    M_σ = (1/|K|) Σ_{i∈K} σ_i sym(b_i^(1) b_i^(2)ᵀ),   σ_i = ±1 at random,

the largest over :data:`NULL_DRAWS` draws. Given the tasks, M_σ has mean
zero and its entries the covariance (1/|K|²) Σ_i vec(sym_i) vec(sym_i)ᵀ of
M's own fluctuation about its mean, so ν is a draw of the noise edge that
M's top eigenvalue reaches on clean data (measured on the problem above,
three seeds: λ₁/ν 0.99–1.10). A coherent group of ⌊αn⌋ tasks adds
α·c_u u uᵀ to M but only a random walk of size (αn)^{1/2}·c_u/n to M_σ,
so it can neither lift ν to hide a true direction nor, unless
α·E⟨b^(1), u⟩⟨b^(2), u⟩ exceeds c·ν, put its own u in the basis (with ν
at 0.066·s² and c = 1.3, each of its tasks would need
⟨b^(1), u⟩⟨b^(2), u⟩ ≈ 1.7·s², against ≈ 0.2·s² in the measured attack;
tasks that large in one direction are large in norm, and the trim above
takes them out first). A direction U lost of weight Σ_c p_c ⟨v, w_c⟩²
above c·ν comes back as before; one below it is at the noise level, and
the unfiltered basis carried it only as far as its noise directions
happened to (0.37·s of a 0.72·s loss in a measured case) — the same
chance that gave an adversary's direction its weight.
"""


from __future__ import annotations

import numpy as np

from ..._linalg import sym, top_eigvecs
from ..._threads import pinned
from ..._validation import check_float, check_rng
from ...data import MetaDataset
from ..screening import excess_limit
from .linkage import projected_chunks

__all__ = ["heavy_basis"]

#: Sign draws of the null moment M_σ (module docstring); ν is their largest
#: spectral norm.
NULL_DRAWS = 3

#: Bytes of the projected examples (block of tasks × (d − k)) formed at once.
BLOCK_BYTES = 1 << 25


def _half_means(heavy, P):
    """Split-half means of y·Pᵀx, (2, n, m), by blocks of tasks so that the
    projected examples never take more than :data:`BLOCK_BYTES` (the N × m
    array of all of them would be ≈ 0.3 GB at n_H = 10 000, t_H = 128)."""
    n, m = heavy.n_tasks, P.shape[1]
    out = np.empty((2, n, m))
    per = max(1, BLOCK_BYTES // (8 * m * max(1, int(heavy.sizes.max()))))
    for a in range(0, n, per):
        idx = np.arange(a, min(n, a + per))
        out[:, idx] = projected_chunks(heavy.subset(idx), P, 2, stage="heavy basis",
                                       cache=False)
    return out


@pinned
def heavy_basis(heavy: MetaDataset, U, k, alpha, *, null_level=None, rng=None):
    """Orthonormal (d, ≤ min(2k, d)) basis: ``U`` and the top-k directions
    of the heavy tasks' trimmed split-half moment off span(U) — those above
    ``null_level`` times its noise edge when that is given.

    Parameters
    ----------
    heavy : MetaDataset
        Heavy tasks (at least two examples each).
    U : ndarray (d, k)
        Orthonormal subspace estimate.
    k : int
        Number of extra directions (the number of components).
    alpha : float
        Corruption fraction; sets how many tasks are trimmed.
    null_level : float, optional
        Keep an extra direction only when its eigenvalue exceeds this many
        times ν, the spectral norm of the moment with random task signs
        (module docstring); None (default) keeps the top k.
    rng : None, int or Generator
        The random signs (``null_level`` given).

    Returns
    -------
    ndarray (d, r + j)
        ``U`` in its first r columns, then the j ≤ min(k, d − r) extra
        directions kept.

    Raises
    ------
    ValidationError
        A ``null_level`` that is not a positive number.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> heavy = make_tasks(theta, 200, 64, rng=1)
    >>> Q = np.linalg.qr(theta.W)[0]
    >>> B = heavy_basis(heavy, Q[:, :1], 2, 0.05)    # U misses one direction
    >>> bool(np.linalg.norm(Q[:, 1] @ B) > 0.99)      # the heavy tasks restore it
    True
    """
    if null_level is not None:
        null_level = check_float(null_level, "null_level", min_val=0.0, include_min=False)
    U = np.asarray(U, dtype=float)
    d, r = U.shape
    extra = min(k, d - r)
    if extra <= 0:
        return U
    P = np.linalg.qr(np.hstack([U, np.eye(d)]))[0][:, r:d]     # basis of span(U)⊥
    b = _half_means(heavy, P)                                    # (2, n, d − r)
    score = np.linalg.norm(b[0], axis=1) * np.linalg.norm(b[1], axis=1)
    n = heavy.n_tasks
    drop = min(excess_limit(alpha, n), n - 2) if alpha > 0 else 0
    keep = np.argsort(score)[:n - drop]
    M = sym(b[0, keep].T @ b[1, keep]) / keep.size
    V, lam = top_eigvecs(M, extra)
    if null_level is not None:
        nu = _null_edge(b[0, keep], b[1, keep], check_rng(rng))
        V = V[:, lam > null_level * nu]
    return np.hstack([U, P @ V])


def _null_edge(b1, b2, rng):
    """ν: the largest spectral norm of (1/n) Σ σ_i sym(b1_i b2_iᵀ) over
    :data:`NULL_DRAWS` draws of random signs σ (module docstring)."""
    nu = 0.0
    for _ in range(NULL_DRAWS):
        sign = rng.choice([-1.0, 1.0], size=b1.shape[0])
        lam = np.linalg.eigvalsh(sym((b1 * sign[:, None]).T @ b2) / b1.shape[0])
        nu = max(nu, float(np.max(np.abs(lam))))
    return nu
