"""A researcher's first hour on their own data: each mistake ends in one
ValidationError (or one CLI line) naming the parameter and the value."""

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, make_params, make_pools, make_tasks
from robust_mlr.exceptions import ValidationError


@pytest.mark.parametrize("build, name", [
    (lambda X, y: MetaDataset(X, y, [0, 2, 4]), "X"),
    (lambda X, y: MetaDataset(X.real, y, [0, 2, 4]), "y"),
    (lambda X, y: MetaDataset.from_arrays(X, y.real, [5, 5, 7, 7]), "X"),
    (lambda X, y: MetaDataset.from_arrays(X.real, y, [5, 5, 7, 7]), "y"),
    (lambda X, y: MetaDataset.from_tasks([(X[:2].real, y[:2].real), (X[2:], y[2:].real)]),
     "task 1: X_i"),
    (lambda X, y: MetaDataset.from_tasks([(X[:2].real, y[:2]), (X[2:].real, y[2:])]),
     "task 0: y_i"),
])
def test_complex_data_is_refused_not_cast(build, name):
    """NumPy casts complex to real by dropping the imaginary parts with a
    mere warning; the constructors refuse it, naming the array."""
    X = np.arange(12.0).reshape(4, 3) + 0.5j
    y = np.arange(4.0) - 2j
    with pytest.raises(ValidationError, match=rf"^{name} is complex \(complex128, e\.g\. "):
        build(X, y)


def test_complex_query_is_refused_by_predict():
    theta = make_params(6, 2, rng=0)
    model = MetaLearner.icml(2, rng=0).fit(make_pools(theta, 2000, 2, 60, 32, 1000, 8, rng=1))
    support, X_query, _ = make_tasks(theta, 10, 5, rng=3).split_query()
    with pytest.raises(ValidationError, match=r"^X_query is complex"):
        model.predict(support, X_query + 1e-3j)
    assert model.predict(support, X_query).shape == (10,)


@pytest.mark.parametrize("preset", ["icml", "robust", "default"])
def test_heavy_pool_of_one_example_tasks_is_refused_naming_pool_and_need(preset):
    """One-example 'heavy' tasks carry no pair of examples: every clustering
    stage refuses them up front (before: a fit that went through with only a
    warning from a later stage, for the likelihood EM)."""
    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 2000, 2, 60, 32, 1000, 8, rng=1)
    pools = pools.replace(heavy=make_tasks(theta, 120, 1, rng=5))
    learner = {"icml": MetaLearner.icml(2, rng=0), "robust": MetaLearner.robust(2, 0.05, rng=0),
               "default": MetaLearner(2, rng=0)}[preset]
    with pytest.raises(ValidationError, match=r"pool heavy: all 120 tasks have t_i=1 example; "
                                              r"clustering \(\w+\) needs heavy tasks of "
                                              r"t_i >= 2 examples"):
        learner.fit(pools)
