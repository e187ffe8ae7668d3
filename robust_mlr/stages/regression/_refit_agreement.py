"""The agreement test of the filter's least squares and the clipped refit,
with the clean difference classification leaves between them (private).

Both estimate the same ŵ_ℓ on correctly classified clean tasks (the noise
is symmetric about zero, so clipping residuals moves nothing in
expectation), and :data:`~._example_clip.REFIT_AGREEMENT` standard errors
bound their sampling difference. Hard classification adds a systematic
one: the clean tasks of other components that fit ℓ enter its least
squares with residuals x·(w_b − w_ℓ) + noise, which the least squares
follows in full and the Huber refit only up to the clip. The least
squares' classification bias B_ℓ (Kong, Somani, Kakade, Oh 2020: the
light estimates' error at small t) therefore splits into the part the
refit keeps and the part it clips, and the clean difference of the two
fits is at most ‖B_ℓ‖. It does not shrink with n, while the standard
error does: on the synthetic set of the scaling notes (d = 32, k = 4,
light-2 tasks of t = 4, α = 0.05) clean fits moved by 0.47–0.58 standard
errors at 10⁶ examples, 1.48–1.71 at 10⁷ and 2.99–3.34 at 4·10⁷ (≈ 0.008·s
each time, against w_err ≈ 0.05), and the fixed level failed them from
about 3.5·10⁷ examples on.

A component past the level is therefore allowed ‖B_ℓ‖ more, B from
:func:`~._misclass.model_bias`: responses drawn from the fitted mixture on
the pool's own designs, so the adversary moves the allowance only through
ŵ, p̂, ŝ² and the designs of its tasks, never through their responses —
the same allowance the heavy anchor's consistency test grants
(:func:`~._pooled.pool_estimates`). Components within the level draw
nothing (no pass, no random draw).
"""

from __future__ import annotations

import numpy as np

from ..._segments import label_grams, task_blocks
from ._example_clip import REFIT_AGREEMENT
from ._misclass import model_bias

__all__ = ["refit_agreement"]


def _kept_grams(data, labels, k, t_cap):
    """Σ c_i x_j x_jᵀ per component of ``labels`` (−1: out), c_i the
    filter's weights min(t_i, t_cap)/t_i, by one blocked pass."""
    off, d = data.offsets, data.dim
    t = data.sizes.astype(float)
    row_w = np.sqrt(np.repeat(np.minimum(t, t_cap) / t, data.sizes))
    gram = np.zeros((k, d, d))
    for a, e in task_blocks(off, data._row_bytes):
        Xb, yb = data._block(off[a], off[e])
        gram += label_grams(Xb * row_w[off[a]:off[e], None], yb, off[a:e + 1] - off[a],
                            labels[a:e], k)[0]
    return gram


def refit_agreement(data, kept_labels, W_ls, W_refit, s2, p, clip, grams, t_cap, rng):
    """Whether the clipped refit agrees with the filter's least squares.

    Parameters
    ----------
    data : MetaDataset
        The pool.
    kept_labels : ndarray of int (n,)
        Each task's component after the filter (−1: removed or unclassified).
    W_ls, W_refit : ndarray (d, k)
        The filter's least squares and the clipped refit.
    s2, p : ndarray (k,)
        The fitted noise levels and weights.
    clip : dict
        The refit's record: ``moved_se`` (‖W_refit − W_ls‖ per component in
        its standard errors; +inf: the refit lost its rank) is read, and
        ``bias_se`` is set (‖B_ℓ‖ in standard errors; 0 where not asked).
    grams : ndarray (k, d, d) or None
        The kept tasks' Grams (summed here when None and needed).
    t_cap : float
    rng : Generator
        A child stream of it draws the model's responses.

    Returns
    -------
    bool
    """
    moved = np.asarray(clip["moved_se"], dtype=float)
    k = moved.size
    allow = np.zeros(k)
    over = [c for c in range(k) if np.isfinite(moved[c]) and moved[c] > REFIT_AGREEMENT]
    if over:
        step = np.linalg.norm(np.nan_to_num(np.asarray(W_refit) - np.asarray(W_ls)), axis=0)
        if grams is None:
            grams = _kept_grams(data, np.asarray(kept_labels), k, t_cap)
        B = model_bias(data, W_ls, s2, p, grams, over, rng.spawn(1)[0], True)
        allow[over] = np.linalg.norm(B[:, over], axis=0) / (step[over] / moved[over])
    clip["bias_se"] = np.round(allow, 3).tolist()
    return bool(np.all(moved <= REFIT_AGREEMENT + allow))
