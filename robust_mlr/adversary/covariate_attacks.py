"""Attacks on ``covariates="auto"``: tilt the covariate law the isotropy test reads.

``covariates="auto"`` whitens only when the trimmed second moment Σ̂ of a
random sample of the pools fails an isotropy test (condition number above
1.5 on the default problem). The trim removes the tasks whose mean
Mahalanobis norm q_i = mean_j x_jᵀΣ̂⁻¹x_j is furthest from the median, so
corrupted tasks whose every example has the clean median norm are kept
whatever direction that norm points in. :class:`CovariateTilt` writes such
tasks with a fixed share ``f`` of each example's squared norm on one
direction u ⊥ span(W): ⌊αn⌋ of them raise Σ̂'s eigenvalue along u by
≈ α·(f·d − 1), enough to flip the decision, and then the learner whitens
the *clean* covariates by a Σ̂ that is not theirs (their variance along u
shrinks by that eigenvalue). The responses follow each task's own
component, so the mixture's regression is unchanged, or a shift ``shift``·s
along u, which the tilted covariates give leverage.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import fixed_direction

__all__ = ["CovariateTilt"]


@register
class CovariateTilt(Attack):
    """Tasks whose examples put a share of the median norm on one direction.

    Every example is x = ±√(f·m)·u + √((1 − f)·m)·r̂, r̂ a random unit vector
    ⊥ u, with m = ``norm`` × the median of χ²_d (the clean median squared
    norm), and y = xᵀ(w_c + ``shift``·s_c·u) + s_c·ε for the task's own
    component c (a random one for a task without).

    Parameters
    ----------
    frac : float
        f in (0, 1): share of each example's squared norm on u (default 0.3).
    norm : float
        Squared norm in units of the clean median (default 1.05: the
        Mahalanobis norm under the tilted Σ̂ then sits near the median).
    shift : float
        Regression shift along u in units of s (default 0).
    """

    name, stage, targets = "covariate_tilt", "preprocessing", ("light1", "heavy", "light2")

    def __init__(self, frac=0.3, norm=1.05, shift=0.0):
        self.frac, self.norm, self.shift = float(frac), float(norm), float(shift)
        if not (0 < self.frac < 1 and self.norm > 0):
            raise ValidationError(f"need 0 < frac < 1 and norm > 0, got {frac}, {norm}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        d = data.dim
        sizes = data.sizes[idx]
        N = int(sizes.sum())
        comps = data.components[idx] if data.components is not None else None
        if comps is None or np.any(comps < 0):
            comps = rng.choice(theta.k, size=idx.size, p=theta.p)
        comp = np.repeat(comps, sizes)
        u = fixed_direction(theta.W)
        m = self.norm * float(chi2.median(d))
        R = rng.standard_normal((N, d))
        R -= np.outer(R @ u, u)
        R /= np.linalg.norm(R, axis=1, keepdims=True)
        X = (rng.choice([-1.0, 1.0], size=N) * np.sqrt(self.frac * m))[:, None] * u \
            + np.sqrt((1 - self.frac) * m) * R
        s = np.asarray(theta.s, float)[comp]
        W = theta.W[:, comp].T + (self.shift * s)[:, None] * u
        y = np.einsum("ij,ij->i", X, W) + s * rng.standard_normal(N)
        return X, y
