"""Lever rows whose coherence is diluted by sign-balanced decoys along the
same direction.

A task filter that compares the centred covariance of the tasks' gradients
with the per-example moment reads, along the shift direction u, a ratio of
about (1 − ε) r for r lever rows per task with the same residual (ε the
adversary's share of the class). One more row per task at leverage A_d
along u with a residual ±ρ_d, its sign balanced over tasks and independent
of everything else, adds the same amount A_d² ρ_d² to both sides, so the
ratio falls towards one while the decoys' pulls cancel. Under a refit with
Mallows weights, rows at no more than the weights' reach (``leverage_cap``
RMS along a spike direction) keep their whole clipped pull; so lever and
decoy rows sit at that reach and more lever rows per task carry the shift.

:class:`DilutedLever` is :class:`~robust_mlr.adversary.ClipLever` with
``u_decoys`` such rows in each task (its last examples).
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ValidationError
from ._base import register
from .clip_attacks import ClipLever

__all__ = ["DilutedLever"]


@register
class DilutedLever(ClipLever):
    """:class:`~robust_mlr.adversary.ClipLever` with sign-balanced decoy
    rows along the shift direction u (module docstring).

    Parameters
    ----------
    u_decoys : int
        Decoy rows along u per task, ≥ 0 (default 1; the task's last
        examples).
    u_lever : float
        Their leverage along u (default 4).
    u_shift : float
        Their residual's size in units of s_a (default 4); its sign is
        balanced over tasks and over the row's own direction.
    component, shift, lever, rows, share, decoy, decoy_level, noise, g_scale, direction, angle
        As :class:`~robust_mlr.adversary.ClipLever` (defaults as there but
        ``lever`` 4 and ``decoy`` 0, so that the default fits tasks of two
        examples).
    """

    name = "diluted_lever"

    def __init__(self, u_decoys=1, u_lever=4.0, u_shift=4.0, component="smallest", shift=4.0,
                 lever=4.0, rows=1, share=1.0, decoy=0.0, decoy_level=1.0, noise=0.0,
                 g_scale=0.25, direction="fixed", angle=0.0):
        super().__init__(component=component, shift=shift, lever=lever, rows=rows, share=share,
                         decoy=decoy, decoy_level=decoy_level, noise=noise, g_scale=g_scale,
                         direction=direction, angle=angle)
        self.u_decoys, self.u_lever, self.u_shift = int(u_decoys), float(u_lever), float(u_shift)
        if self.u_decoys < 0 or self.u_decoys != u_decoys:
            raise ValidationError(f"u_decoys must be an integer >= 0, got u_decoys={u_decoys!r}")
        if not (self.u_lever > 0 and self.u_shift >= 0):
            raise ValidationError(f"need u_lever > 0 and u_shift >= 0, got u_lever={u_lever}, "
                                  f"u_shift={u_shift}")

    def reserved(self, sizes):
        """The decoy rows along u at the end of each task: ``u_decoys``, as
        many as fit after one lever row and the v decoy."""
        return np.minimum(self.u_decoys, np.maximum(sizes - 1 - (self.decoy > 0), 0))

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        if self.u_decoys == 0:
            return X, y
        sizes, u, w, s, task, pos = self._frame(data, idx, ctx)
        rows = np.flatnonzero(pos >= sizes[task] - self.reserved(sizes)[task])
        b = rng.choice([-1.0, 1.0], size=rows.size)
        signs = np.where((task[rows] // 2) % 2 == 0, 1.0, -1.0)   # balanced, ⊥ the v decoy's
        return self._along_u(X, y, rows, self.u_lever * b, s * signs * b * self.u_shift, u, w,
                             ctx)
