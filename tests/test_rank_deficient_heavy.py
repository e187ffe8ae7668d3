"""Heavy tasks whose designs are rank deficient (the rows' component along
one direction zeroed, responses kept consistent) within the corruption
budget. The robust learner's heavy anchor (Kong, Somani, Kakade, Oh 2020:
per-task least-squares fits of the heavy tasks, filtered) must leave such a
task out — its own fit is undefined — and count it as a seen corrupted task,
not invert its singular Gram: the fit returns an estimate and never raises."""

import warnings

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools
from robust_mlr.generator import MLRParams, covariate_moment
from robust_mlr.metrics import parameter_errors

D, K = 16, 3


def _problem(law, seed=1):
    """W = Σ_x^{-1/2} W₀ under the covariate law; the pools of the covariate
    laws' quick benchmark shape."""
    th0 = make_params(D, K, rng=seed)
    vals, Q = np.linalg.eigh(covariate_moment(law, D))
    theta = MLRParams((Q / np.sqrt(vals)) @ Q.T @ th0.W, th0.s, th0.p)
    pools = make_pools(theta, 6000, 2, 150, 96, 4000, 8, x_dist=law, rng=seed + 100)
    return theta, pools


def _deflate(ds, theta, alpha, law):
    """The first ⌊αn⌋ tasks with the rows' whitened coordinate on e₀ set to 0
    (x ↦ x − (xᵀa) b for the dual pair a = L^{-T}e₀, b = L e₀ of Σ_x = LLᵀ),
    the responses moved by the same change of x (noise kept)."""
    L = np.linalg.cholesky(covariate_moment(law, D))
    a, b = np.linalg.inv(L).T[:, 0], L[:, 0]
    m = int(np.floor(alpha * ds.n_tasks))
    rows = ds.offsets[m]
    X, y = ds.X.copy(), ds.y.copy()
    dX = -np.outer(X[:rows] @ a, b)
    comp = np.repeat(ds.components[:m], ds.sizes[:m])
    y[:rows] += np.einsum("ij,ji->i", dX, theta.W[:, comp])
    X[:rows] += dX
    return MetaDataset(X, y, ds.offsets, ds.components), m


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("covariates", ["estimate", "auto"])
def test_deflated_chebyshev_tasks_do_not_raise(alpha, covariates):
    """Chebyshev features, every pool deflated: the fit used to raise
    ``LinAlgError: Singular matrix`` in the heavy filter (the Cholesky
    pivots missed the rank deficiency, and a rounding eigenvalue ≈ −10⁻¹⁵ of
    a deflated Gram weighed ≈ 10²⁷⁰). Now the deflated heavy tasks are left
    out, and the estimate is as good as on clean data."""
    theta, pools = _problem("polynomial")
    new = {name: _deflate(pools[name], theta, alpha, "polynomial") for name in Pools.names}
    P = Pools(**{name: ds for name, (ds, _) in new.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(K, alpha, rng=1, covariates=covariates).fit(P)
    assert np.all(np.isfinite(model.W_))
    # clean fit on this problem: 0.10·s; the deflated tasks carry no
    # information along one direction and are left out of the anchor
    assert parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.2
    anchor = model.diagnostics_["regression"]["anchor"]
    seen = [c.get("seen_corrupted") for c in anchor["heavy"] if c.get("anchored")]
    assert seen and all(s == new["heavy"][1] for s in seen)

