"""Lever rows spread along the shift direction in the clean law's shape, so
that a density-ratio weight along a spike direction leaves them whole.

A refit that weighs a component's rows in each bin of |x·e| along a spike
direction e by min(1, κ f_o/f_c) (f_c, f_o the component's and the other
components' shares of their rows in the bin, κ the allowance) takes out
only the *excess* density. Lever rows all at one leverage A make one bin's
excess a hundredfold and lose nearly all their weight there. The same
number of rows can instead be spread over the bins beyond a floor τ with
the clean law's density shape: the adversary's n_a rows in bin b are then
n_a h_b / P(|z| > τ), h_b the clean share of the bin, and the weight stays
one wherever

    N_c h_b + n_a h_b / P(|z| > τ) ≤ κ (N_c + N_a) h_b,

N_c the component's clean rows and N_a all the adversary's rows in it
(its rows at |x·e| ≈ 0 and its decoys count in the denominator too). For
N_c ≈ 24 000, N_a = 16 000 and κ = 1.15 this holds for 8 000 lever rows
beyond τ ≈ 0.92 RMS: every lever row keeps its whole clipped pull c ŝ |z|
(mean |z| ≈ 1.5), while decoys at a larger leverage (which trip the spike
detection and so switch the weights on) dilute the task filter's test and
lose their weight in the thin tail bins, where they pull nothing anyway
(their signs are balanced). More lever rows than the allowance holds make
the bins beyond τ weigh less than one, but a bin's weight is the same for
its clean rows as for the lever rows: with the lever rows in the clean
law's shape the weights scale the stiffness along u (most of it sits beyond
τ ≈ 1) and the pull alike, and the weighted estimate along u is the
unweighted one on fewer rows.

:class:`ShapedLever` is :class:`~robust_mlr.adversary.DilutedLever` whose
lever rows take |x·u| from the half-normal law truncated to
[``floor``, ``cap``], a random sign b, and a residual b (ρ + ``slope``·|x·u|) s
(ρ = ``shift``): the residual grows with the leverage so that each row stays
at the clip once the fit has moved by about ``slope`` s along u.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from ..exceptions import ValidationError
from ._base import register
from .dilute_attacks import DilutedLever

__all__ = ["ShapedLever"]


@register
class ShapedLever(DilutedLever):
    """:class:`~robust_mlr.adversary.DilutedLever` with the lever rows'
    leverage drawn in the clean law's shape beyond a floor (module
    docstring).

    Parameters
    ----------
    floor : float
        Lower end τ ≥ 0 of the lever rows' |x·u| (default 0.9).
    cap : float
        Upper end of the lever rows' |x·u|, > ``floor`` (default 3.9,
        under a Mallows reach of 4).
    slope : float
        Extra residual per unit of |x·u|, in units of s_a, ≥ 0 (default 0.5).
    u_decoys, u_lever, u_shift, component, shift, rows, share, decoy, decoy_level, noise, g_scale, direction, angle
        As :class:`~robust_mlr.adversary.DilutedLever` (``shift`` is the
        residual at |x·u| = 0, default 1.5; ``lever`` is not used).
    """

    name = "shaped_lever"

    def __init__(self, floor=0.9, cap=3.9, slope=0.5, u_decoys=1, u_lever=4.0, u_shift=3.0,
                 component="smallest", shift=1.5, rows=8, share=1.0, decoy=0.0,
                 decoy_level=1.0, noise=0.0, g_scale=0.25, direction="fixed", angle=0.0):
        super().__init__(u_decoys=u_decoys, u_lever=u_lever, u_shift=u_shift,
                         component=component, shift=shift, lever=4.0, rows=rows, share=share,
                         decoy=decoy, decoy_level=decoy_level, noise=noise, g_scale=g_scale,
                         direction=direction, angle=angle)
        self.floor, self.cap, self.slope = float(floor), float(cap), float(slope)
        if not (0.0 <= self.floor < self.cap and self.slope >= 0):
            raise ValidationError(f"need 0 <= floor < cap and slope >= 0, got floor={floor}, "
                                  f"cap={cap}, slope={slope}")

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        sizes, u, w, s, task, pos = self._frame(data, idx, ctx)
        lev = np.flatnonzero(pos < self.lever_rows(sizes)[task])
        # |z| from the half-normal law truncated to [floor, cap] (inverse CDF)
        lo, hi = norm.cdf(self.floor), norm.cdf(self.cap)
        z = norm.ppf(rng.uniform(lo, hi, size=lev.size))
        b = rng.choice([-1.0, 1.0], size=lev.size)
        return self._along_u(X, y, lev, b * z, s * b * (self.shift + self.slope * z), u, w, ctx)
