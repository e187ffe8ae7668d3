"""The genuine degree-4 SoS relaxation of Kothari–Steinhardt–Steurer
clustering: known answers on tiny instances, pseudo-moment identities,
validation, and the stage on planted data."""

import itertools
import time

import numpy as np
import pytest

from robust_mlr import ValidationError, cluster_heavy, make_params, make_pools, metrics
from robust_mlr.stages.clustering import (KSSRelaxation, brute_force_kss, kss_relaxation)
from sos import SubsetIndex

TIGHT = {"eps": 1e-7, "max_iters": 100000}


def _sq(P):
    return ((P[:, None, :] - P[None, :, :]) ** 2).sum(axis=2)


def _tails_instance():
    """Two candidate clusters of 4 points, far apart: A = {±e1, ±e1} (cost 8,
    pairwise quartic maximum 8) and B = three points at 0 and one at √5 e1
    (cost 7.5, quartic maximum 9.375). k-means prefers B; β = 8.7 excludes it."""
    A = np.array([[-1, 0], [-1, 0], [1, 0], [1, 0.0]])
    B = np.array([[0, 0], [0, 0.1], [0, -0.1], [np.sqrt(5), 0]]) + [0, 6]
    P = np.vstack([A, B]) + np.random.default_rng(0).normal(0, 0.01, (8, 2))
    return P, _sq(P)


def test_subset_index_unions_match_set_arithmetic():
    S = SubsetIndex(6, 4)
    assert len(S) == 1 + 6 + 15 + 20 + 15
    members = [frozenset(np.flatnonzero((int(m) >> np.arange(6)) & 1)) for m in S.masks]
    assert [len(m) for m in members] == S.sizes.tolist()
    pairs = np.array(list(itertools.product(S.up_to(2), repeat=2)))
    got = S.union(pairs[:, 0], pairs[:, 1])
    want = [members.index(members[a] | members[b]) for a, b in pairs]
    np.testing.assert_array_equal(got, want)
    with pytest.raises(Exception, match="more than 4"):
        S.union([S.position([0, 1, 2])], [S.position([3, 4, 5])])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_without_moment_constraint_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    P = np.repeat(rng.normal(0, 3, (2, 2)), 4, axis=0) + rng.normal(0, 0.7, (8, 2))
    D = _sq(P)
    sol = kss_relaxation(P, D, 4, solver_opts=TIGHT)
    best, subset = brute_force_kss(P, D, 4)
    assert sol.value == pytest.approx(best, rel=1e-3, abs=1e-3)
    np.testing.assert_array_equal(sol.selected, subset)


def test_moment_constraint_changes_the_optimum_as_brute_force_does():
    P, D = _tails_instance()
    free = kss_relaxation(P, D, 4, solver_opts=TIGHT)
    bound = kss_relaxation(P, D, 4, beta=8.7, solver_opts=TIGHT)
    for beta, sol in ((None, free), (8.7, bound)):
        best, subset = brute_force_kss(P, D, 4, beta=beta)
        assert sol.value == pytest.approx(best, rel=1e-3)
        np.testing.assert_array_equal(sol.selected, subset)
        # the integral solution is the unique optimum: the pseudo-moments are integral
        w = np.isin(np.arange(8), subset).astype(float)
        np.testing.assert_allclose(sol.z, w, atol=1e-3)
        np.testing.assert_allclose(sol.Z, np.outer(w, w), atol=1e-3)
    np.testing.assert_array_equal(free.selected, [4, 5, 6, 7])
    np.testing.assert_array_equal(bound.selected, [0, 1, 2, 3])
    # β below both candidates' quartic maxima: no cluster satisfies the bound
    assert brute_force_kss(P, D, 4, beta=7.0)[1] is None


def test_pseudo_moments_are_boolean_and_sized():
    rng = np.random.default_rng(5)
    P = rng.normal(0, 1, (9, 2))
    sol = kss_relaxation(P, _sq(P), 3, beta=50.0, solver_opts=TIGHT)
    z, Z = sol.z, sol.Z
    np.testing.assert_allclose(np.diag(Z), z, atol=1e-9)            # w_i² = w_i
    assert z.sum() == pytest.approx(3, abs=1e-4)                    # Σ w = s
    np.testing.assert_allclose(Z.sum(axis=1), 3 * z, atol=1e-4)     # Ẽ[(Σ w − s) w_i] = 0
    assert np.all(sol.info["moments"] >= -1e-6)
    assert np.all(Z <= z[:, None] + 1e-4)                           # w_i w_j ≤ w_i
    M = np.block([[1, z[None]], [z[:, None], Z]])
    assert np.linalg.eigvalsh(M).min() > -1e-4
    assert sol.info["status"] == "optimal" and sol.info["gram_size"] == 10 * 3


def test_threat_budget_relaxes_the_size():
    rng = np.random.default_rng(6)
    P = rng.normal(0, 1, (8, 2))
    sol = kss_relaxation(P, _sq(P), 4, alpha=0.25, solver_opts=TIGHT)
    assert 3 - 1e-3 <= sol.z.sum() <= 4 + 1e-3
    assert sol.z.sum() == pytest.approx(3, abs=1e-3)        # cheaper to select fewer


@pytest.mark.parametrize("kwargs, name", [({"size": 0}, "size"), ({"beta": -1.0}, "beta"),
                                          ({"alpha": 0.7}, "alpha"),
                                          ({"points": np.ones((3, 2))}, "D")])
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"points": np.ones((4, 2)), "D": np.zeros((4, 4)), "size": 2, **kwargs}
    with pytest.raises(ValidationError, match=name):
        kss_relaxation(args.pop("points"), args.pop("D"), args.pop("size"), **args)


def test_stage_rejects_bad_options():
    with pytest.raises(ValidationError, match="min_share"):
        KSSRelaxation(min_share=2.0)._options()
    with pytest.raises(ValidationError, match="beta"):
        KSSRelaxation(beta="large")._options()


@pytest.mark.parametrize("method", ["kss_m4", "kss_no_moment"])
def test_stage_recovers_planted_clusters(method):
    rng = np.random.default_rng(3)
    theta = make_params(8, 2, rng=rng)
    heavy = make_pools(theta, 2, 2, 10, 64, 2, 2, rng=rng).heavy
    res = cluster_heavy(heavy, theta.W, 2, method, rng=0)
    assert metrics.clustering_accuracy(res.labels, heavy.components, 2) == 1.0
    assert res.info["method"] == method


@pytest.mark.slow
def test_twenty_tasks_within_ten_minutes():
    rng = np.random.default_rng(0)
    P = np.repeat(rng.normal(0, 3, (3, 3)), 7, axis=0)[:20] + rng.normal(0, 0.5, (20, 3))
    t0 = time.perf_counter()
    sol = kss_relaxation(P, _sq(P), 7, beta=40.0)
    assert time.perf_counter() - t0 < 600
    assert sol.info["status"] == "optimal"
