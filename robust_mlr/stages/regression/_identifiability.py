"""Failed tests that close components explain (private module).

A robust regression stage fails its test for a component that no light
task supports, that kept no more light tasks than the adversary may write
(``_pooled._fabricable``), whose ŝ² collapsed at the final ŵ, or whose
filter ended above its stop level. An adversary can cause each of these.
So can two fitted components closer than the light tasks can tell apart:
the hard classification then splits their tasks between them at random
(one component may end with a handful), and a component holding a blend
of two laws fails a stop rule built for one. The authors' sine-wave
mixture does this on clean data: eight waves whose closest pair is 0.31·s
apart per example, tasks of four examples.

For two components a, b with regression vectors w_a, w_b and noise
variances s_a², s_b², a task of t examples (covariates whitened, or
isotropic as the learner assumes) is put in the wrong one of the two with
probability about Φ(−z_ab), z_ab = ½ √(t ‖w_a − w_b‖² / s̄²), s̄² the mean
of the two variances: the log-likelihood ratio has mean t Δ²/(2s̄²) and
standard deviation √t Δ/s̄ (the spread of ‖XΔ‖² is left out, so this
slightly underestimates the rate: 0.27 against 0.29 simulated at t = 4,
Δ = 0.6 s; 0.14 against 0.16 at Δ = 1.2 s, s_b = 1.2 s_a; 0.24 against 0.25
at t = 8, Δ = 0.5 s — the rule errs towards the CorruptionWarning). A
component is *unseparated* when that
probability reaches :data:`MISCLASSIFICATION` for its nearest neighbour.
On the default problem of the robustness study it is 0.023 for the closest
pair at t = 8 (0.002 at t = 16 in d = 64), and 0.10–0.37 for the failed
components of the sine-wave fits. The separation is read at the estimates
the classification used (the clustering's W̃, r̃²): they decide how the
tasks were split, while a component left with a handful of tasks refits
ŵ far from anywhere by noise alone.

:func:`unidentified` reports the failed components when every one is
unseparated and no heavy anchor ran (a reliable heavy assignment tells
components apart whatever the light tasks say, so a failure there is
evidence). The fit's check then raises an
:class:`~robust_mlr.exceptions.IdentifiabilityWarning` for this stage
instead of a CorruptionWarning; removals beyond the stage's limit remain
evidence of corruption.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from ._example_clip import REFIT_AGREEMENT

__all__ = ["MISCLASSIFICATION", "pairwise_misclassification", "failed_components",
           "unidentified"]

#: Pairwise misclassification at which two components count as unseparated.
MISCLASSIFICATION = 0.05


def pairwise_misclassification(W, s2, t):
    """Φ(−z_ab) for every pair of components (diagonal 0).

    Parameters
    ----------
    W : ndarray (d, k)
    s2 : ndarray (k,)
    t : float
        Examples per task.

    Returns
    -------
    ndarray (k, k)
    """
    W, s2 = np.asarray(W, float), np.asarray(s2, float)
    sq = np.sum(W * W, axis=0)
    dist2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (W.T @ W), 0.0)
    s_bar = 0.5 * (s2[:, None] + s2[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = 0.5 * np.sqrt(t * dist2 / s_bar)
    prob = ndtr(-np.where(np.isfinite(z), z, np.inf))
    np.fill_diagonal(prob, 0.0)
    return prob


def failed_components(info, k):
    """Components whose part of the stage's test failed, read off its record."""
    failed = {c for c, rec in enumerate(info.get("components", ()))
              if not rec.get("passed", True)}
    failed.update(info.get("unsupported_components", ()))
    failed.update(info.get("anchor", {}).get("fabricable", ()))
    # the refit's tests, component by component: a component they fail is
    # named, so that a close pair failing elsewhere cannot excuse it
    # (this pass's, and a first pass's the learner kept through a
    # reclassification)
    clip = info.get("example_clip") or {}
    for key, limit in (("clipped_test", 1.0), ("score_test", 1.0),
                       ("moved_se", REFIT_AGREEMENT)):
        for rec, pre in ((clip, ""), (info, "first_pass_")):
            # the agreement's level grows by the predicted classification bias
            extra = list(rec.get(pre + "bias_se", ())) if key == "moved_se" else []
            failed.update(c for c, v in enumerate(rec.get(pre + key, ()))
                          if v > limit + (extra[c] if c < len(extra) else 0.0))
    collapsed = info.get("posterior_noise", {}).get("collapsed")
    if collapsed is not None:
        failed.update(np.flatnonzero(collapsed).tolist())
    return sorted(c for c in failed if 0 <= c < k)


def unidentified(info, W, s2, t):
    """The failed components, if close neighbours explain all of them.

    Parameters
    ----------
    info : dict
        The regression stage's record (``passed`` False).
    W, s2 : ndarray
        The estimates the light tasks were classified with (the
        clustering's), or the stage's own when there are none.
    t : float
        The light pool's median task size.

    Returns
    -------
    dict or None
        ``components`` (failed), ``nearest`` (each one's closest other
        component), ``misclassification`` (their pairwise rate) and
        ``task_size``; None when a heavy anchor ran, no component is named
        as failed, or one failed component is well separated.
    """
    if "W_heavy" in info.get("anchor", {}):
        return None
    k = W.shape[1]
    failed = failed_components(info, k)
    if not failed or k < 2:
        return None
    prob = pairwise_misclassification(W, s2, t)
    nearest = np.argmax(prob, axis=1)
    rate = prob[np.arange(k), nearest]
    if np.any(rate[failed] < MISCLASSIFICATION):
        return None
    return {"components": failed, "nearest": nearest[failed].tolist(),
            "misclassification": [round(float(r), 4) for r in rate[failed]],
            "task_size": float(t)}
