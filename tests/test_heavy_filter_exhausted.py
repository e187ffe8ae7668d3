"""The heavy anchor's filter caps its removal budget at m - 1 on a component of
few tasks (it would otherwise empty it). When it does remove all but one, the
one task's own fit is the estimate and every ratio at it is 0: that is not a
test the component's tasks passed, and the record must not say it did
(Kong, Somani, Kakade, Oh 2020: the anchor is a robust mean of the heavy
tasks' fits, which one task is not)."""
import numpy as np

from robust_mlr._dist import chi2
from robust_mlr.stages.regression import _heavy_anchor as H


def _tasks(W, t=32, noise=0.5, seed=0):
    rng = np.random.default_rng(seed)
    n, d = W.shape
    X = rng.standard_normal((n, t, d))
    y = np.einsum("ntd,nd->nt", X, W) + noise * rng.standard_normal((n, t))
    A = np.einsum("ntd,nte->nde", X, X)
    b = np.einsum("ntd,nt->nd", X, y)
    beta = np.linalg.solve(A, b[..., None])[..., 0]
    rss = np.einsum("nt,nt->n", y, y) - np.einsum("nd,nd->n", b, beta)
    At, Ct = H._capped_weights(A, np.ones(n, bool))
    Wh = np.linalg.inv(np.linalg.cholesky(A))
    return A, At, Ct, Wh, b, beta, rss / chi2.median(t - d), np.full(n, t - d)


def test_five_disagreeing_tasks_do_not_pass_on_the_one_left():
    # five tasks of five different regressors, a removal limit of 5
    W = 3.0 * np.random.default_rng(1).standard_normal((5, 8))
    *_, info = H._whitened_filter(*_tasks(W), 5, np.random.default_rng(1))
    assert info["removed"] == 4 and info["exhausted"]
    assert not info["passed"]


def test_five_agreeing_tasks_still_pass():
    W = np.tile(np.random.default_rng(1).standard_normal(8), (5, 1))
    *_, info = H._whitened_filter(*_tasks(W), 5, np.random.default_rng(1))
    assert info["removed"] == 0 and not info["exhausted"] and info["passed"]


def test_the_warning_names_an_exhausted_component():
    # d = 8, k = 3, 20 heavy tasks: anchor_starve then edge placement on
    # light 2 leaves a component 5 heavy tasks against a removal limit of 5
    import warnings

    from robust_mlr import CorruptionWarning, MetaLearner, make_params, make_pools
    from robust_mlr.adversary import corrupt_pools
    theta = make_params(8, 3, rng=3)
    pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=103)
    pools = corrupt_pools(pools, "anchor_starve", 0.05, theta=theta, targets=("heavy",), rng=7)
    pools = corrupt_pools(pools, "edge_placement", 0.05, theta=theta, targets=("light2",),
                          rng=107)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MetaLearner.robust(3, 0.05, rng=5).fit(pools)
    said = [str(w.message) for w in caught if issubclass(w.category, CorruptionWarning)]
    assert any("all but one: they never agreed" in m for m in said), said
