"""Cross-check of the light tasks' noise levels against the heavy tasks.

The light pool estimates ŝ²_ℓ from tasks of a few examples: a clean task's
RSS_i/s² is χ²_{t_i}, whose spread at t = 8 is ±50 %. An adversary who
replaces a share ε of component ℓ's light tasks by tasks with the same
regression vector and noise level inflated by a factor c is, task by task,
hard to tell apart (at t = 8, c = 1.39 and ε = 0.2 the two laws of one task
are 0.25 apart in total variation), and moves the median of the χ²-scaled
ratios — hence ŝ²_ℓ — by ≈ 16 %. No light-pool estimator can do much better.

A heavy task's RSS_i/s² is χ²_{t_H} with t_H ≫ 8 (±12 % at t_H = 128), so
the heavy tasks of component ℓ pin s²_ℓ far more tightly *per task*. Each
heavy task is assigned to the component whose final ŵ_ℓ leaves it the
smallest residual (at t_H = 128 this is exact for separated components, and
it does not inherit a mistake of the heavy clustering: a merged cluster
would otherwise put another component's tasks, with residuals ‖w_a − w_b‖²
too large, into ℓ's median);
the median over its n_ℓ tasks of RSS_i / median(χ²_{t_i}) at the final ŵ_ℓ
is consistent, has standard error ≈ 1.2533·σ_ratio/√n_ℓ, and ⌊αn_H⌋
corrupted tasks move it by at most the clean quantile gap of a share
⌊αn_H⌋/n_ℓ, a few per cent at t_H = 128. The light estimate keeps its
smaller variance on clean data and is clipped into the interval

    h_ℓ ± z · 1.2533 · h_ℓ · (σ_ℓ/s²_ℓ) / √n_ℓ

around that heavy median h_ℓ (z = 3), where σ_ℓ/s²_ℓ is the spread of a clean
ratio under the model's Gaussian noise, √(mean_i 2t_i/median(χ²_{t_i})²), so
corrupted tasks cannot widen the interval: on clean data the light estimate lies
inside (its error is a fraction of the interval's half-width), and under
attack the result is within the heavy median's own shift plus the
half-width of the truth, whichever pool the budget is spent in.

The assignment by best fit needs heavy tasks that tell the components
apart: at t_H = 4 in d = 64 with k = 8 the best of eight residuals is biased
low and centres h_ℓ near 0.37 for a true 0.5. The regression stages
therefore apply the cross-check only when the expected number of
misassigned clean heavy tasks is small (the anchor's assignment check,
docs/robust_pipeline.md) and keep the light estimate otherwise.
"""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._threads import pinned
from ...data import MetaDataset

__all__ = ["heavy_noise_interval", "cross_check_noise"]

#: Standard error of a sample median over that of a sample mean (Gaussian).
_MEDIAN_EFFICIENCY = np.sqrt(np.pi / 2)


def heavy_noise_interval(data: MetaDataset, labels, W, z=3.0):
    """Per component, an interval for s²_ℓ from the heavy tasks of cluster ℓ.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    labels : ndarray of int (n,) or None
        Component of each heavy task (−1 = ignored); None: the component
        whose ŵ_ℓ leaves the task the smallest residual sum of squares.
    W : ndarray (d, k)
        Regression vectors at which residuals are taken (the final ŵ_ℓ).
    z : float
        Half-width in standard errors of the median.

    Returns
    -------
    centre, half_width : ndarray (k,)
        The median h_ℓ of the per-task ratios RSS_i / median(χ²_{t_i}) and
        z times its standard error under Gaussian noise; NaN for a component with fewer
        than three heavy tasks (no cross-check possible).

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> data = make_tasks(theta, 200, 64, rng=1)
    >>> h, w = heavy_noise_interval(data, data.components, theta.W)
    >>> bool(np.all(np.abs(h - theta.s ** 2) < w))
    True
    """
    W = np.asarray(W, dtype=float)
    k = W.shape[1]
    resid = data.task_sums((data.y[:, None] - data.X @ W) ** 2)       # (n, k) per task
    labels = np.argmin(resid, axis=1) if labels is None else np.asarray(labels)
    med = chi2.median(data.sizes)
    ratio = resid / med[:, None]
    rel_var = 2.0 * data.sizes / med ** 2          # Var(χ²_t / median χ²_t), Gaussian noise
    centre, half = np.full(k, np.nan), np.full(k, np.nan)
    for c in range(k):
        r = ratio[labels == c, c]
        if r.size < 3:
            continue
        centre[c] = np.median(r)
        rel_sd = np.sqrt(np.mean(rel_var[labels == c]))       # sd of one ratio / s²
        half[c] = z * _MEDIAN_EFFICIENCY * centre[c] * rel_sd / np.sqrt(r.size)
    return centre, half


@pinned
def cross_check_noise(heavy: MetaDataset, labels, W, s2, z=3.0):
    """Clip the light-pool ŝ² into the heavy tasks' interval.

    Parameters
    ----------
    heavy : MetaDataset
        Heavy tasks.
    labels : ndarray of int (n_H,) or None
        Component of each heavy task (−1 = ignored); None (what the learner
        passes): each heavy task goes to the component that fits it best.
    W : ndarray (d, k)
        Final regression vectors.
    s2 : ndarray (k,)
        Light-pool noise estimates.
    z : float
        Half-width of the interval in standard errors.

    Returns
    -------
    s2 : ndarray (k,)
        ``s2`` clipped into ``[h − w, h + w]`` (unchanged where the heavy
        cluster is too small to check).
    info : dict
        ``heavy_centre``, ``heavy_half_width``, ``s2_light`` and a boolean
        ``clipped`` per component.
    """
    s2 = np.asarray(s2, dtype=float)
    centre, half = heavy_noise_interval(heavy, labels, W, z)
    ok = np.isfinite(centre)
    out = s2.copy()
    out[ok] = np.clip(s2[ok], np.maximum(centre[ok] - half[ok], 0.0), centre[ok] + half[ok])
    return out, {"heavy_centre": centre, "heavy_half_width": half, "s2_light": s2,
                 "clipped": out != s2}
