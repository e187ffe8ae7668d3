"""Clean small light-1 pools: the subspace filter's stopping level is carried
from the pool sizes it was set on to n (its finite-sample factor), so the
clean tasks it removes stay within αn + 3√(αn) + 1 and a clean fit does not
raise a CorruptionWarning naming the subspace stage."""

import warnings

import pytest

from robust_mlr import CorruptionWarning, MetaLearner, estimate_subspace, make_params, make_pools
from robust_mlr.threat import excess_limit


@pytest.mark.parametrize("seed", [1, 3, 7])
def test_small_clean_pool_fit_does_not_warn(seed):
    # d = 4, k = 2, light 1: 300 tasks of t = 2 (heavy 20 × 32, light 2
    # 300 × 4). Before the factor the filter removed 36, 43 and 60 clean
    # tasks on these seeds against a limit of 27 and the fit warned; now
    # 0–11 on seeds 0–19
    theta = make_params(4, 2, rng=seed)
    pools = make_pools(theta, 300, 2, 20, 32, 300, 4, rng=100 + seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MetaLearner.robust(2, 0.05, rng=seed).fit(pools)
    sub = model.diagnostics_["subspace"]
    assert sub["limit"] == 27
    assert sub["removed"] <= 20, sub["removed"]
    assert not [w for w in caught if issubclass(w.category, CorruptionWarning)]


def test_small_pools_clean_removals_within_limit():
    # d = 8, k = 2 (the worst case measured: 19 of 20 seeds over the limit
    # at n = 300 before): removals at n = 150 and 600 within the limit
    for n in (150, 600):
        limit = excess_limit(0.05, n)
        for seed in range(4):
            theta = make_params(8, 2, rng=seed)
            pools = make_pools(theta, n, 2, 1, 2, 1, 2, rng=100 + seed)
            res = estimate_subspace(pools.light1, 2, "filter", alpha=0.05, rng=seed)
            assert int((~res.kept).sum()) <= limit


def test_finite_sample_factor_leaves_large_pools_alone():
    # the default (20 000 tasks) and quick (6 000) problems keep their level
    from robust_mlr.stages.subspace.robust_pca import finite_sample_factor
    for k in (2, 3, 4):
        assert finite_sample_factor(k, 0.05, 6000) == 1.0
        assert finite_sample_factor(k, 0.05, 20000) == 1.0
        assert finite_sample_factor(k, 0.0, 300) == 1.0
        f = [finite_sample_factor(k, 0.05, n) for n in (150, 300, 600, 1200, 3000)]
        assert f == sorted(f, reverse=True) and 1.0 < f[-1] < f[0] < 2.5
