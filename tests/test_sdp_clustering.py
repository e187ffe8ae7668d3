"""Clustering relaxations: known answers, agreement with the full
pseudo-distribution on tiny instances, robustness, bad inputs."""
import cvxpy as cp
import numpy as np
import pytest

from robust_mlr import (MetaLearner, SolverFailedError, ValidationError, cluster_heavy,
                        make_params, make_pools, make_tasks, metrics)
from robust_mlr.stages.clustering import (brute_force_balanced, peel_clusters,
                                           pseudo_distribution_clustering)
from robust_mlr.stages.clustering import group_estimates, pair_forms, row_form_map
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.clustering import peng_wei_problem
from sos import MonomialBasis, form_values, solve


def _tiny(sep, seed=0):
    rng = np.random.default_rng(seed)
    P = np.vstack([rng.standard_normal((4, 2)) * 0.5, rng.standard_normal((4, 2)) * 0.5 + [sep, 0]])
    return ((P[:, None] - P[None]) ** 2).sum(-1)


def _pw(D, k):
    Z, obj, cons = peng_wei_problem(D, k)
    prob = cp.Problem(obj, cons)
    solve(prob)
    return prob.value, Z.value


def test_peng_wei_matches_pseudo_distribution_and_brute_force_when_separated():
    """Separated clusters: Peng–Wei, the degree-4 pseudo-distribution and the
    exact balanced k-means optimum coincide (both relaxations are tight)."""
    D = _tiny(3.0)
    pw, Zpw = _pw(D, 2)
    val, Zps = pseudo_distribution_clustering(D, 2, 4)
    best, labels = brute_force_balanced(D, 2)
    assert pw == pytest.approx(best, rel=1e-4) and val == pytest.approx(best, rel=1e-4)
    np.testing.assert_allclose(Zpw, Zps, atol=1e-4)
    truth = np.repeat([0, 1], 4)
    assert metrics.clustering_accuracy(peel_clusters(D, 2), truth) == 1.0


def test_relaxation_order_on_an_overlapping_instance():
    """Overlapping clusters: PW ≤ degree-4 pseudo-distribution ≤ exact optimum,
    with PW strictly loose and degree 4 exact here (measured 2.532 < 2.674 = 2.674)."""
    D = _tiny(0.7)
    pw, _ = _pw(D, 2)
    val, _ = pseudo_distribution_clustering(D, 2, 4)
    best, _ = brute_force_balanced(D, 2)
    assert pw <= val + 1e-4 and val <= best + 1e-4
    assert pw < best - 0.05
    assert val == pytest.approx(best, rel=1e-3)


def test_pair_forms_are_products_of_group_differences():
    theta = make_params(6, 2, rng=0)
    ds = make_tasks(theta, 5, 8, rng=1)
    U = np.linalg.qr(theta.W)[0]
    b = group_estimates(ds, U, 4)
    pairs = np.triu_indices(5, 1)
    coef = pair_forms(b, 4, pairs)
    V = np.random.default_rng(2).standard_normal((3, 2))
    i, j = pairs
    direct = np.prod([(b[g, i] - b[g, j]) @ V.T for g in range(4)], axis=0)   # (pairs, 3)
    np.testing.assert_allclose(form_values(coef, MonomialBasis(2, 4), V).T, direct, rtol=1e-10)
    A = row_form_map(coef, pairs, 5)
    Z = np.random.default_rng(3).random((5, 5))
    Z = np.triu(Z, 1)
    S = (A @ Z.ravel()).reshape(5, -1)
    full = Z + Z.T
    expect = np.zeros_like(S)
    for p, (a, c) in enumerate(zip(i, j)):            # brute force over pairs
        expect[a] += full[a, c] * coef[p]
        expect[c] += full[a, c] * coef[p]
    np.testing.assert_allclose(S, expect, rtol=1e-12)


def test_split_product_forms_are_unbiased():
    """Same component: E T_ij = 0; different: E T_ij(v) = <μ_i − μ_j, v>^4."""
    theta = make_params(4, 2, s=0.5, rng=0)
    U = np.linalg.qr(theta.W)[0]
    V = np.random.default_rng(1).standard_normal((2, 2))
    same_m, cross_m = [], []
    for seed in range(60):
        ds = make_tasks(theta, 30, 8, rng=seed)
        b = group_estimates(ds, U, 4)
        iu = np.triu_indices(30, 1)
        vals = form_values(pair_forms(b, 4, iu), MonomialBasis(2, 4), V)
        z = ds.components
        diff = z[iu[0]] != z[iu[1]]
        same_m.append(vals[:, ~diff].mean(1))
        cross_m.append(vals[:, diff].mean(1))
    mu = U.T @ theta.W
    truth = ((mu[:, 0] - mu[:, 1]) @ V.T) ** 4
    for means, target in ((np.array(same_m), 0.0), (np.array(cross_m), truth)):
        se = means.std(0, ddof=1) / np.sqrt(len(means))      # seeds are independent
        assert np.all(np.abs(means.mean(0) - target) < 4.5 * se), (means.mean(0), target, se)


@pytest.mark.parametrize("rounding", ["spectral", "mode", "linkage"])
def test_roundings_recover_separated_clusters(rounding):
    theta = make_params(16, 3, rng=0)
    U = np.linalg.qr(theta.W)[0]
    heavy = make_tasks(theta, 45, 64, rng=1)
    res = cluster_heavy(heavy, U, 3, "peng_wei", rounding=rounding, rng=0)
    assert metrics.clustering_accuracy(res.labels, heavy.components, 3) == 1.0


@pytest.mark.parametrize("method", ["kmeans", "peng_wei", "peng_wei_robust", "sos_m4",
                                    "sos_m6", "single_cluster"])
def test_methods_recover_separated_clusters(method):
    theta = make_params(16, 3, rng=0)
    U = np.linalg.qr(theta.W)[0]
    heavy = make_tasks(theta, 45, 64, rng=1)
    res = cluster_heavy(heavy, U, 3, method, alpha=0.05, rng=0)
    assert metrics.clustering_accuracy(res.labels, heavy.components, 3) >= 0.97
    if method.startswith("peng") or method.startswith("sos"):
        assert res.info["solver"]["status"] == "optimal" and res.objective is not None


def test_robust_relaxation_flags_a_fake_cluster():
    theta = make_params(16, 3, rng=0)
    U = np.linalg.qr(theta.W)[0]
    pools = make_pools(theta, 2, 2, 80, 64, 2, 2, rng=1)
    bad = corrupt_pools(pools, "fake_cluster", 0.05, theta=theta, rng=2)
    z = bad.heavy.components
    res = cluster_heavy(bad.heavy, U, 3, "peng_wei_robust", alpha=0.05, rng=0)
    assert metrics.clustering_accuracy(res.labels[z >= 0], z[z >= 0], 3) >= 0.95
    assert metrics.detection_scores(res.outliers, z < 0)["recall"] == 1.0


def test_learner_with_sdp_clustering():
    theta = make_params(12, 3, rng=0)
    pools = make_pools(theta, 6000, 2, 60, 64, 3000, 8, rng=1)
    m = MetaLearner(3, clustering="peng_wei", rng=0).fit(pools)
    assert metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"] < 0.2


def test_bad_inputs_and_failures():
    theta = make_params(8, 2, rng=0)
    U = np.linalg.qr(theta.W)[0]
    heavy = make_tasks(theta, 20, 16, rng=1)
    with pytest.raises(ValidationError, match="rounding 'nope' unknown"):
        cluster_heavy(heavy, U, 2, "peng_wei", rounding="nope")
    with pytest.raises(ValidationError, match="clustering method 'nope' unknown"):
        cluster_heavy(heavy, U, 2, "nope")
    with pytest.raises(ValidationError, match=r"k=21 components but the heavy pool has 20 "):
        cluster_heavy(heavy, U, 21, "peng_wei")
    short = make_tasks(theta, 20, 3, rng=1)
    with pytest.raises(ValidationError, match="t_i=3 < 4"):
        cluster_heavy(short, U, 2, "sos_m4")
    with pytest.raises(SolverFailedError, match="n_H=20"):
        # an impossible moment bound makes the SDP infeasible: a named failure
        cluster_heavy(heavy, U, 2, "sos_m4", bound=0.0, alpha=0.0)


def test_robust_peng_wei_keeps_a_true_component_of_few_tasks():
    """k = 8 and 100 clean heavy tasks of 64 examples (10–15 per component):
    the limit the cluster-distrust rule used, ⌊αn⌋ plus the Binomial margin
    (12.7 tasks at α = 0.05), reached a true component, which was set aside
    whole (accuracy 0.80–0.87, 10–12 tasks flagged). A fabricated cluster is
    about ⌊αn⌋ = 5 tasks; half the median cluster bounds what is distrusted,
    and every component is found."""
    theta = make_params(64, 8, rng=0)
    U = np.linalg.qr(theta.W + 0.02 * np.random.default_rng(1).standard_normal(theta.W.shape))[0]
    heavy = make_tasks(theta, 100, 64, rng=2)
    res = cluster_heavy(heavy, U, 8, "peng_wei_robust", alpha=0.05, rng=3)
    assert metrics.clustering_accuracy(res.labels, heavy.components, 8) >= 0.97
    assert int(np.sum(res.outliers)) <= 5
