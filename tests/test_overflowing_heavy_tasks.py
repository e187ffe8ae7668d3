"""The ICML learner (Kong, Somani, Song, Kakade, Oh 2020) told a corruption
budget α sets far heavy tasks aside before clustering. Heavy tasks with a
±1e300 entry (their projected sums overflow; the learner's stages are not
robust, so nothing screens them) are as far as a task can be: they are set
aside, not passed as infinite costs to the far-task rule (which raised
``ValidationError: P contains a non-finite value``)."""

import warnings

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools
from robust_mlr.metrics import parameter_errors


@pytest.mark.parametrize("alpha", [0.02, 0.1])
def test_icml_with_budget_sets_overflowing_heavy_tasks_aside(alpha):
    theta = make_params(8, 2, rng=0)
    pools = make_pools(theta, 3000, 2, 100, 40, 2000, 6, rng=1)
    heavy = pools.heavy
    rng = np.random.default_rng(2)
    X, y = heavy.X.copy(), heavy.y.copy()
    for i in rng.choice(heavy.n_tasks, int(np.floor(alpha * heavy.n_tasks)), replace=False):
        a = heavy.offsets[i]
        X[a, rng.integers(8)] = rng.choice([-1e300, 1e300])
        y[a] = rng.choice([-1e300, 1e300])
    P = Pools(light1=pools.light1, heavy=MetaDataset(X, y, heavy.offsets, heavy.components),
              light2=pools.light2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # the learner's "stages not robust" notice
        model = MetaLearner.icml(2, alpha=alpha, rng=0).fit(P)
    assert np.all(np.isfinite(model.W_))
    assert parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.15   # clean: 0.04
    assert model.flagged_["heavy"].sum() >= np.floor(alpha * heavy.n_tasks)
