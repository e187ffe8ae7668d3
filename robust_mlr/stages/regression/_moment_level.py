"""The level of a component's per-example moment against which the
regression stage's readings mark a direction inflated (private).

See :func:`moment_levels`; the directions are chosen in
:func:`._clipped_test.candidate_directions`.
"""

from __future__ import annotations

import numpy as np


def moment_levels(moments, noise):
    """Each component's level of its per-example moment M_c, against which
    :func:`._clipped_test.candidate_directions` marks a direction inflated:

        level_c = min(med λ(M_c), ŝ_c² ρ̄),   ρ_o = med λ(M_o) / ŝ_o²,
        ρ̄ = the lower median of ρ_o over the components with a moment
             and a noise level (the ⌈m/2⌉-th smallest of m),

    ŝ_c² the component's noise level (:func:`.robust.robust_noise`, a
    weighted median over its tasks). ``noise`` None: the median eigenvalue
    of M_c alone (the level before the reference was added).

    **Why not the median alone.** The median eigenvalue of M_c is written by
    the component's own rows, and rows that no gradient reading sees can
    raise it: pairs x, −x with the same residual r in one task cancel in the
    task's score sum along every direction, and each adds 2 r² x xᵀ to M_c.
    Pairs at x = 12 v_j + g, r = 1.5 s, spread over the 55 directions
    orthogonal to W and to a push direction u, put ≈ 0.3 s² more on every
    one of them with 6 pairs in each of ⌊αn⌋ = 200 tasks at α = 0.01 (d 64,
    ≈ 43 000 rows in the component): the median rose by 30 %, and u — which
    lever rows had raised to 1.35 times the clean level — fell under
    :data:`._clipped_test.INFLATED` times the raised one, lost the leverage
    weights of the refit and moved the component by 0.14 s, silent (any
    level taken from c's own spectrum, a lower half or quarter included,
    moves the same way).

    **The reference.** On clean data M_c = E[r² x xᵀ] at the first round's
    fit is s_c² times a covariate factor: s_c² Σ_c for noise independent of
    x at the true w, with the fourth moments of x entering through the
    fit's error and any misfit. The components share the covariate law
    (the model draws x without regard to the component), so the factor's
    median eigenvalue ρ_c = med λ(M_c)/ŝ_c² is one number for the pool up
    to sampling: 0.99–1.01 over the eight components of the small-heavy
    problem with Gaussian rows, within ±4 % of each other under Chebyshev,
    Fourier, Student-t(5), uniform and correlated rows, whose own values are
    0.93–1.24 (the law sets it, so it cannot be a constant). ŝ_c² ρ̄ is
    then the clean median of M_c written without c's own spectrum:

    * a pair x, −x enters ŝ_c² only through its task's residual sum of
      squares, and a weighted median moves by at most the gap between the
      clean (1/2 ± share) quantiles of the task ratios, however far the rows
      sit (+3 % on the attacks above: their tasks all rank above the median);
    * ρ̄ is a median over components: pairs in one component move its own
      ρ_c and no other; to raise ρ̄ they must raise ρ_o in more than half of
      the components, which splits the budget k/2 ways (each gets ≈ 2/k of
      the rows that moved one median by 30 %), and leaves no rows for the
      push.

    The minimum with the own median keeps the level where it was whenever
    the own median is the lower one (a clean component with ρ_c ≤ ρ̄ reads
    the same directions as before, and pairs can only lower the level
    through rows of small r² x xᵀ, ⌊αn⌋ tasks' share of the rows at most,
    which reads more directions, not fewer); on clean data the reference is
    below the own median by the components' scatter of ρ (≤ 1 % Gaussian,
    ≤ 4 % under the laws above), which lowers the threshold by as much.

    What the reference gives away: tasks that raise a component's ŝ² more
    than its moment lower its ρ, and with it ρ̄ if they do so in half of
    the components (one of two when k = 2): every other component then
    reads and weighs more directions (the refit's density weights take only
    a density in excess of the other components', so a clean fit barely
    moves: 0.0273·s against 0.0276·s for the clean component of a k = 2
    problem whose other component holds 10 % lever tasks and reads four more
    directions).

    Parameters
    ----------
    moments : list of ndarray (d, d) or None
    noise : ndarray (k,) or None
        ŝ_c² per component (NaN or ≤ 0: none; the own median is used).

    Returns
    -------
    levels : ndarray (k,)
        NaN where the component has no moment.
    """
    k = len(moments)
    med = np.full(k, np.nan)
    for c, M in enumerate(moments):              # loop over components only
        if M is not None:
            med[c] = float(np.median(np.linalg.eigvalsh((M + M.T) / 2)))
    if noise is None:
        return med
    noise = np.asarray(noise, dtype=float)
    have = np.isfinite(med) & np.isfinite(noise) & (noise > 0)
    if not have.any():
        return med
    rho = np.sort(med[have] / noise[have])
    ref = noise * rho[(rho.size - 1) // 2]
    return np.where(have, np.minimum(med, ref), med)
