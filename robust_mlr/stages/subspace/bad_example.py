"""The robust-PCA "bad example" of Kong, Somani, Kakade, Oh (NeurIPS 2020), Figure 1."""

from __future__ import annotations

import numpy as np


def bad_example(n, d, alpha, rng):
    """Points and truth of the bad example.

    Clean: x ~ N(0, I_d) with x_1 scaled by √1.1 and x_2 = ±x_1/√1.1 (random
    sign), so Σ = diag(1.1, 1, …, 1) and the top direction is e_1. Each point
    is corrupted independently with probability α: x_1 = 0, x_2 = ±2 α^{-1/4},
    which adds ≈ 4√α to the variance along e_2 and makes plain PCA pick e_2.

    Returns
    -------
    Z : ndarray (n, d), corrupted : ndarray of bool (n,), Sigma : ndarray (d, d)
    """
    Z = rng.standard_normal((n, d))
    Z[:, 0] *= np.sqrt(1.1)
    Z[:, 1] = rng.choice([-1.0, 1.0], n) * Z[:, 0] / np.sqrt(1.1)
    bad = rng.random(n) < alpha
    Z[bad, 0] = 0.0
    Z[bad, 1] = rng.choice([-1.0, 1.0], bad.sum()) * 2 * alpha ** -0.25
    Sigma = np.eye(d)
    Sigma[0, 0] = 1.1
    return Z, bad, Sigma
