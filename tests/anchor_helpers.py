"""Crafted pools for the heavy-anchor tests (importable by the test modules)."""
import numpy as np
from scipy.stats import chi2

from robust_mlr import MetaDataset


def exact_fit_heavy(heavy, idx, w, shift, s, t, rng):
    """``heavy`` with tasks ``idx`` replaced by exact fits at w + shift/√t
    (``shift`` a vector, in units of s): designs √t·Q (QᵀQ = I) and
    residuals at the clean median RSS, orthogonal to the design, so every
    replaced task's whitened score is the same point. ``rng`` draws Q, then
    the residuals."""
    n, d = heavy.n_tasks, heavy.dim
    m = len(idx)
    X, y = heavy.X.reshape(n, t, d).copy(), heavy.y.reshape(n, t).copy()
    Q = np.linalg.qr(rng.standard_normal((m, t, d)))[0]
    E = rng.standard_normal((m, t))
    E -= np.einsum("mtd,md->mt", Q, np.einsum("mtd,mt->md", Q, E))
    E *= np.sqrt(s ** 2 * chi2.median(t - d) / np.sum(E ** 2, axis=1))[:, None]
    X[idx] = np.sqrt(t) * Q
    y[idx] = X[idx] @ (w + s * shift / np.sqrt(t)) + E
    return MetaDataset(X.reshape(-1, d), y.reshape(-1), heavy.offsets)


def noise_free_light(light, component, count, target):
    """``light`` with the first ``count`` tasks of ``component`` noise-free at
    ``target``."""
    ly = light.y.copy()
    moved = np.zeros(light.n_tasks, bool)
    moved[np.flatnonzero(light.components == component)[:count]] = True
    rows = np.repeat(moved, light.sizes)
    ly[rows] = light.X[rows] @ target
    return MetaDataset(light.X, ly, light.offsets)
