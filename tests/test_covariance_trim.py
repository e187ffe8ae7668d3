"""The whitening's trimmed second moment on clean feature laws whose energy
along some directions sits in a few examples (Chebyshev features of a
uniform input, peaked near x = ±1): a fixed trim of the 2α most extreme
tasks removes exactly those, and its rounds lose the direction (the
smallest eigenvalue of Σ^{-1/2}Σ̂Σ^{-1/2} fell to 0.39 at α = 0.05 and 0.075
at α = 0.1 here; on the covariate-law benchmark's full problem, d = 32, the
heavy screen reading rows whitened by it removed 390 of 400 clean heavy
tasks).
The trim calibrated on the scores' own tail keeps them; inflated tasks
beyond that tail are still trimmed."""

import warnings

import numpy as np
import pytest

from robust_mlr import MetaLearner, make_params, make_pools, make_tasks
from robust_mlr.covariates import estimate_second_moment
from robust_mlr.generator import covariate_moment


@pytest.fixture(scope="module")
def chebyshev():
    theta = make_params(16, 3, rng=1)
    return theta, make_pools(theta, 6000, 2, 150, 96, 4000, 8, x_dist="polynomial", rng=101)


def _ratio(Sigma, law, d):
    Li = np.linalg.inv(np.linalg.cholesky(covariate_moment(law, d)))
    return np.linalg.eigvalsh(Li @ Sigma @ Li.T)


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_clean_chebyshev_rows_keep_every_direction(chebyshev, alpha):
    _, pools = chebyshev
    ev = _ratio(estimate_second_moment(pools, alpha)[0], "polynomial", 16)
    assert ev.min() > 0.85 and ev.max() < 1.15          # plain moment here: 0.94 .. 1.05


def test_clean_chebyshev_heavy_tasks_pass_the_screen(chebyshev):
    _, pools = chebyshev
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(3, 0.1, rng=1, covariates="estimate").fit(pools)
    screen = model.diagnostics_["screen"]
    assert screen["heavy"]["n_removed"] <= screen["heavy"]["limit"]
    assert _ratio(model.covariance_.Sigma, "polynomial", 16).min() > 0.85


def test_inflated_tasks_beyond_the_tail_are_still_trimmed():
    """⌊αn⌋ tasks per pool with their rows' first coordinate ×30 (α = 0.1):
    the plain moment's first eigenvalue is ≈ 90; the trimmed one stays
    within sampling error of the truth."""
    theta = make_params(16, 3, rng=1)
    pools = make_pools(theta, 6000, 2, 150, 96, 4000, 8, rng=101)
    for name in pools.names:
        ds = pools[name]
        m = int(0.1 * ds.n_tasks)
        ds.X[:ds.offsets[m], 0] *= 30.0
    plain = np.linalg.eigvalsh(estimate_second_moment(pools)[0])
    Sigma, kept = estimate_second_moment(pools, 0.1)
    ev = np.linalg.eigvalsh(Sigma)
    assert plain.max() > 50
    assert ev.min() > 0.9 and ev.max() < 1.1
    assert (~kept).sum() >= 0.1 * kept.size * 0.95


@pytest.mark.parametrize("alpha", [0.15, 0.2])
def test_corrupted_share_beyond_the_tail_level_is_still_trimmed(alpha):
    """Above α = 1/8 (the tail fit's level) ⌊αn⌋ tasks hold the quantiles the
    fit starts from and no excess shows: the fixed trim of the ⌈2αn⌉ furthest
    applies (with the tail rule alone all 60 / 80 tasks ×1000 were kept and
    the top eigenvalue reached 1.5·10⁵ / 170 at ×30)."""
    from robust_mlr.data import MetaDataset
    data = make_tasks(make_params(8, 2, rng=0), 400, 5, rng=1)
    X = data.X.copy()
    nb = int(np.floor(alpha * 400))
    X[:data.offsets[nb], 0] *= 1e3
    S, kept = estimate_second_moment(MetaDataset(X, data.y, data.offsets), alpha)
    assert not kept[:nb].any()
    assert np.linalg.eigvalsh(S)[-1] < 1.3                # clean 1.1; kept: 1.5·10⁵
