"""MetaLearner follows scikit-learn's estimator protocol: params, repr, clone,
NotFittedError, every option validated at fit; iteration caps warn."""
import warnings

import numpy as np
import pytest

from robust_mlr import MetaLearner, NotFittedError, ValidationError, make_params, make_pools
from robust_mlr.exceptions import ConvergenceWarning
from robust_mlr.stages.classification import Likelihood
from robust_mlr.stages.clustering import Linkage, PengWei
from robust_mlr.stages.regression import filter_regression, huber_regression
from robust_mlr.stages.subspace import filter_pca

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.utils import estimator_checks as ec  # noqa: E402

# The checks of sklearn.utils.estimator_checks that do not call fit(X, y):
# MetaLearner fits three pools of tasks, not an (X, y) pair.
PROTOCOL_CHECKS = ["check_estimator_cloneable", "check_estimator_repr",
                   "check_get_params_invariance", "check_set_params",
                   "check_no_attributes_set_in_init", "check_parameters_default_constructible",
                   "check_do_not_raise_errors_in_init_or_set_params"]


@pytest.fixture(scope="module")
def pools():
    theta = make_params(6, 2, rng=0)
    return make_pools(theta, 3000, 2, 40, 48, 1500, 8, rng=1)


@pytest.mark.parametrize("check", PROTOCOL_CHECKS)
@pytest.mark.parametrize("make", [lambda: MetaLearner(3),
                                  lambda: MetaLearner.robust(4, 0.05)])
def test_sklearn_protocol_checks(check, make):
    getattr(ec, check)("MetaLearner", make())


def test_clone_round_trips_the_robust_learner():
    model = MetaLearner.robust(4, 0.05, rng=7, clustering=PengWei(robust=True, solver="SCS",
                                                                  max_sdp=200))
    twin = clone(model)
    assert type(twin) is MetaLearner and twin is not model
    assert twin.clustering is not model.clustering
    assert twin.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert twin.clustering.get_params() == {**PengWei().get_params(), "robust": True,
                                            "solver": "SCS", "max_sdp": 200}
    assert repr(twin) == repr(model)


def test_every_option_has_a_constraint():
    missing = set(MetaLearner(2).get_params()) - set(MetaLearner._parameter_constraints)
    assert not missing, f"add these options to MetaLearner._parameter_constraints: {missing}"


def test_params_and_repr():
    model = MetaLearner(2, alpha=0.1)
    assert model.get_params()["alpha"] == 0.1
    assert repr(model) == "MetaLearner(k=2, alpha=0.1)"
    assert model.set_params(subspace="filter", k=3) is model and model.k == 3
    assert repr(model) == "MetaLearner(k=3, subspace='filter', alpha=0.1)"
    with pytest.raises(ValidationError, match="MetaLearner has no option 'nope'; valid options: k,"):
        model.set_params(nope=1)


def test_unfitted_model_raises_not_fitted(pools):
    model = MetaLearner(2)
    with pytest.raises(NotFittedError, match="not fitted"):
        model.posterior(pools.light2)
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)
    assert not hasattr(model, "flagged_")
    model.fit(pools)
    assert model.posterior(pools.light2).shape == (pools.light2.n_tasks, 2)


@pytest.mark.parametrize("param, value, needle", [
    ("k", 0, "k must be >= 1, got 0"),
    ("k", 2.5, "k must be an integer, got 2.5"),
    ("subspace", "pcaa", r"subspace: subspace method 'pcaa' unknown \(did you mean 'pca'\?\)"),
    ("clustering", "nope", r"clustering: clustering method 'nope' unknown; choose from"),
    ("regression", 3, r"regression: regression must be a name in \['filter', 'huber', 'ls'\]"),
    ("regression", Linkage(), "regression: regression must be a name in"),
    ("alpha", 0.7, r"alpha must be a number in \[0.0, 0.5\), got 0.7"),
    ("clustering", Linkage(L=0), "clustering: L must be >= 1, got 0"),
    ("classification", Likelihood(flag_level=2),
     r"classification: flag_level must be a number in \(0.0, 1.0\) or None, got 2"),
    ("classification", Likelihood(flag_level=0.0), "flag_level must be a number in"),
    ("screen", "yes", "screen must be 'auto', None or a Screen object, got 'yes'"),
    ("covariates", "whiten", "covariates option 'whiten' unknown"),
    ("rng", -1, "rng must be None, a non-negative int"),
])
def test_every_option_is_validated_at_fit_naming_it(pools, param, value, needle):
    model = MetaLearner(2).set_params(**{param: value})     # set_params never validates
    with pytest.raises(ValidationError, match=needle):
        model.fit(pools)


# ----------------------------------------------------------- iteration caps warn
def test_filter_pca_warns_at_its_iteration_cap():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((400, 5))
    Z[:40] += 30 * np.eye(5)[0]                  # 10 % far outliers: one step cannot clean
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        filter_pca(Z, 1, 0.1, rng=1, max_iter=1, restarts=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        filter_pca(Z, 1, 0.1, rng=1, restarts=1)  # the default cap is not hit here


def test_regression_filter_and_huber_warn_at_their_caps(pools):
    data = pools.light2
    y = data.y.copy()
    y[: data.offsets[data.n_tasks // 10]] *= -5  # the first 10 % of tasks corrupted
    bad = type(data)(data.X, y, data.offsets)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        filter_regression(bad, 0.1, rng=0, max_iter=1)
    X = data.X[:200]
    yy = X @ np.ones(6) + np.random.default_rng(0).standard_t(1, 200)
    with pytest.warns(ConvergenceWarning, match="iters=1"):
        huber_regression(X, yy, iters=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        huber_regression(X, yy)                  # converges well inside 50 steps


def test_scikit_learn_sees_fitted_state_tags_and_its_own_not_fitted_error(pools):
    from sklearn.exceptions import NotFittedError as SkNotFitted
    from sklearn.utils import get_tags
    from sklearn.utils.validation import check_is_fitted
    model = MetaLearner(2, rng=0)
    with pytest.raises(SkNotFitted):
        check_is_fitted(model)
    with pytest.raises(SkNotFitted) as exc:        # ours, caught as scikit-learn's
        model.predict(pools.light2, np.zeros((pools.light2.n_tasks, 6)))
    assert isinstance(exc.value, NotFittedError)
    assert get_tags(model).requires_fit and not get_tags(model).target_tags.required
    check_is_fitted(model.fit(pools))
