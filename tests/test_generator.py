import numpy as np
import pytest

from robust_mlr import ValidationError, make_params, make_pools, make_tasks


def test_normalisation_max_rho_is_one():
    for W in ("orthonormal", "gaussian"):
        theta = make_params(10, 3, W=W, s="random", p="random", rng=3)
        assert theta.rho.max() == pytest.approx(1.0)
        assert theta.p.sum() == pytest.approx(1.0)


def test_orthonormal_columns_before_scaling():
    theta = make_params(10, 4, s=1.0, rng=0)
    G = theta.W.T @ theta.W
    np.testing.assert_allclose(G, G[0, 0] * np.eye(4), atol=1e-12)
    assert theta.separation == pytest.approx(np.sqrt(2 * G[0, 0]))


def test_tasks_follow_the_model():
    theta = make_params(6, 2, s=[0.5, 1.0], p=[0.3, 0.7], rng=0)
    ds = make_tasks(theta, 4000, 50, rng=1)
    z = ds.components
    # component frequencies: binomial sd = sqrt(.3*.7/4000) = .0072; 4 sd margin
    assert abs(np.mean(z == 0) - 0.3) < 0.03
    # least squares per component recovers w and s (200 000 examples each side)
    zz = np.repeat(z, ds.sizes)
    for a in range(2):
        X, y = ds.X[zz == a], ds.y[zz == a]
        w, *_ = np.linalg.lstsq(X, y, rcond=None)
        np.testing.assert_allclose(w, theta.W[:, a], atol=0.02)
        assert np.std(y - X @ w) == pytest.approx(theta.s[a], rel=0.03)


def test_heavy_tailed_options_have_unit_variance():
    theta = make_params(3, 1, rng=0)
    ds = make_tasks(theta, 2000, 50, x_dist="student", noise="student", df=5, rng=2)
    assert np.var(ds.X) == pytest.approx(1.0, abs=0.1)


def test_same_seed_same_data():
    theta = make_params(5, 2, rng=0)
    a = make_tasks(theta, 50, 4, rng=7)
    b = make_tasks(theta, 50, 4, rng=7)
    np.testing.assert_array_equal(a.y, b.y)


@pytest.mark.parametrize("kw, msg", [
    (dict(d=3, k=5), "k=5 exceeds the dimension d=3"),
    (dict(d=3, k=2, W="nope"), "W must be"),
    (dict(d=3, k=2, p=[0.5, 0.6]), "probability vector"),
    (dict(d=3, k=2, s=[1.0, np.nan]), "non-finite"),
    (dict(d=8, k=2, s=[1, 2, 3]), r"^s has shape \(3,\); expected a number or one noise "
                                  r"level per component, shape \(k,\) = \(2,\)$"),
])
def test_bad_params(kw, msg):
    with pytest.raises(ValidationError, match=msg):
        make_params(**kw)


def test_df_without_a_student_law_is_refused():
    theta = make_params(8, 2, rng=0)
    with pytest.raises(ValidationError, match=r"df=3 has no effect with x_dist='gaussian' "
                                              r"and noise='gaussian'"):
        make_tasks(theta, 100, 4, df=3)
    with pytest.raises(ValidationError, match=r"df=3 has no effect with x_dist='polynomial'"):
        make_pools(theta, 10, 2, 10, 8, 10, 4, x_dist="polynomial", df=3)
    for kw in (dict(x_dist="student"), dict(x_dist="correlated_student"), dict(noise="student")):
        assert make_tasks(theta, 10, 4, df=3, rng=0, **kw).n_tasks == 10


@pytest.mark.parametrize("t, msg", [
    (np.full(9, 3), r"^t must give one size per task, 10 for n=10; got 9 sizes$"),
    (np.full((10, 1), 3), r"^t must give one size per task, 10 for n=10; got shape \(10, 1\)$"),
    (2.5, r"^t must be an integer task size \(or 10 of them\), got 2\.5$"),
    (np.full(10, 2.5), r"^t must give integer task sizes, got dtype float64$"),
    (lambda rng, n: np.full(n - 1, 3), r"^t\(rng, n\) must give one size per task, 10 for "
                                       r"n=10; got 9 sizes$"),
])
def test_task_sizes_that_do_not_fit_n_are_named(t, msg):
    theta = make_params(8, 2, rng=0)
    with pytest.raises(ValidationError, match=msg):
        make_tasks(theta, 10, t)
    assert make_tasks(theta, 10, [3] * 10, rng=0).n_examples == 30
