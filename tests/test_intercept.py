"""Responses with an intercept the features cannot carry: the model has no
constant term, so the fit warns (a DataWarning naming the pool and the
offset) instead of returning inflated noise levels silently; a column of
ones, or features that are not centred, carry the mean and stay silent."""

import warnings

import numpy as np
import pytest

from robust_mlr import DataWarning, MetaDataset, MetaLearner, Pools, make_params, make_pools


def _shifted(c, ones=False, one_hot=False):
    pools = make_pools(make_params(8, 2, rng=0), 4000, 2, 100, 40, 4000, 8, rng=0)

    def move(ds):
        X = np.hstack([ds.X, np.ones((ds.X.shape[0], 1))]) if ones else ds.X
        if one_hot:                             # four categories: columns mostly 0
            cat = np.arange(X.shape[0]) % 4
            X = np.hstack([X, np.eye(4)[cat]])
        return MetaDataset(X, ds.y + c, ds.offsets)
    return Pools(*(move(pools[name]) for name in pools.names))


def _data_warnings(pools, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MetaLearner.icml(2, rng=0, **kw).fit(pools)
    return [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def test_an_offset_in_the_responses_is_named():
    found = _data_warnings(_shifted(3.0))
    assert len(found) == 1 and "no intercept" in found[0] and "2.97" in found[0], found


@pytest.mark.parametrize("pools", [lambda: _shifted(0.0), lambda: _shifted(3.0, ones=True),
                                   lambda: _shifted(3.0, one_hot=True)],
                         ids=["centred", "ones column", "one-hot columns"])
def test_no_warning_when_the_features_carry_the_mean(pools):
    assert _data_warnings(pools(), covariates="auto") == []


def _component_offsets(c, uniform=False):
    """Each task's responses moved by +c or -c (its component's intercept,
    half the tasks each: the pooled median of y stays near 0); with
    ``uniform`` the features are uniform on [0, 1], not centred, and the
    responses move by c alone (one regression per pool, fitted to the
    original responses, noise 0.3: enough for a check of the data)."""
    theta = make_params(6, 2, rng=1)
    pools = make_pools(theta, 3000, 3, 60, 40, 2000, 5, rng=1)
    rng = np.random.default_rng(2)

    def move(ds):
        sign = np.repeat(rng.choice([-1.0, 1.0], ds.n_tasks), np.diff(ds.offsets))
        if not uniform:
            return MetaDataset(ds.X, ds.y + c * sign, ds.offsets)
        X = rng.uniform(size=ds.X.shape)
        w = np.linalg.lstsq(ds.X, ds.y, rcond=None)[0]
        return MetaDataset(X, X @ w + 0.3 * rng.standard_normal(X.shape[0]) + c, ds.offsets)
    return Pools(*(move(pools[name]) for name in pools.names))


@pytest.mark.parametrize("uniform", [False, True], ids=["offsets of both signs",
                                                         "features in [0, 1]"])
def test_an_intercept_the_pooled_median_misses_is_named(uniform):
    """Offsets of both signs leave the pooled median near 0, and features in
    [0, 1] seemed to carry an offset: the heavy tasks' own fits with a
    constant find it."""
    found = _data_warnings(_component_offsets(1.0, uniform))
    assert len(found) == 1 and "own fits with a constant term" in found[0], found
    assert "add a column of ones" in found[0]


def test_features_in_unit_interval_without_an_offset_stay_silent():
    assert _data_warnings(_component_offsets(0.0, uniform=True), covariates="auto") == []
