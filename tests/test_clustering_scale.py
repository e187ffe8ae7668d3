"""The scalable clustering paths: blocked H with closed-form medians, the
projected chunk means, blocked re-admission, and the BM path of sdp_cluster
against the SCS path."""

import warnings

import numpy as np
import pytest

from robust_mlr import make_params, make_tasks, metrics
from robust_mlr.stages.clustering import (LowRankCost, distance_matrix, linkage,
                                           projected_chunks, sdp_cluster)
from robust_mlr.stages.clustering import factored


def _heavy(n=30, t=40, seed=1):
    theta = make_params(6, 3, rng=0)
    return make_tasks(theta, n, t, rng=seed), np.linalg.qr(theta.W)[0]


def test_projected_chunks_equal_projected_chunk_means():
    data, U = _heavy()
    np.testing.assert_allclose(projected_chunks(data, U, 4), data.chunk_means(4) @ U,
                               atol=1e-12)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5])
def test_blocked_h_equals_the_median_of_the_split_estimates(monkeypatch, L):
    """Many small blocks (one row at a time for part of the sizes) and the
    closed-form medians give the direct median of the L split matrices."""
    data, U = _heavy()
    monkeypatch.setattr(linkage, "BLOCK_BYTES", 8 * L * data.n_tasks * 7)   # 7-row blocks
    H = distance_matrix(data, U, L=L)
    B = data.chunk_means(2 * L) @ U
    stack = np.stack([((B[l][:, None] - B[l][None]) * (B[l + L][:, None] - B[l + L][None])
                       ).sum(-1) for l in range(L)])
    np.testing.assert_allclose(H, np.median(stack, axis=0), atol=1e-10)
    assert np.array_equal(H, H.T)


def test_blocked_assignment_matches_a_dense_computation(monkeypatch):
    """Row blocks of 50 entries give the dense median rule exactly."""
    rng = np.random.default_rng(0)
    P, Q = rng.standard_normal((2, 40, 3))
    op = LowRankCost(P, Q)
    D = op.dense()
    labels = np.repeat([0, 1, 2, -1], 10)
    which = np.flatnonzero(labels < 0)
    monkeypatch.setattr(factored, "BLOCK_ENTRIES", 50)
    got = factored.assign_blocked(labels, op, 3, which, robust=False)
    med = np.column_stack([np.median(D[np.ix_(which, np.flatnonzero(labels == c))], axis=1)
                           for c in range(3)])
    np.testing.assert_array_equal(got[which], np.argmin(med, axis=1))
    np.testing.assert_array_equal(got[:30], labels[:30])


def test_bm_path_matches_scs_path():
    """Same heavy tasks, Peng–Wei by SCS (cvxpy) and by BM: the same
    clustering and the same objective within 1e-3 (SCS runs at eps = 1e-4)."""
    theta = make_params(16, 4, rng=0)
    heavy = make_tasks(theta, 60, 128, rng=2)
    U = np.linalg.qr(theta.W)[0]
    scs = sdp_cluster(heavy, U, 4, solver="SCS", rng=0)
    bm = sdp_cluster(heavy, U, 4, rng=0)
    assert bm.info["solver"]["solver"] == "BM" and bm.info["cost"] == "low-rank"
    assert metrics.clustering_accuracy(bm.labels, scs.labels, 4) == 1.0
    assert abs(bm.objective - scs.objective) <= 1e-3 * max(1.0, abs(scs.objective))


def test_bm_refuses_the_sos_relaxation():
    data, U = _heavy()
    with pytest.raises(ValueError, match="BM"):
        sdp_cluster(data, U, 3, relaxation="sos", solver="BM")


def test_a_solve_short_of_tolerance_is_retried_and_the_best_start_kept(monkeypatch):
    """The restart policy of the Burer–Monteiro path: an inaccurate solve is
    repeated from fresh k-means starts (at most n_starts in all), the feasible
    start of lowest objective (else the least infeasible) is kept, and only the kept solve's warning is shown; an
    optimal first solve is not repeated."""
    theta = make_params(8, 2, rng=0)
    heavy = make_tasks(theta, 60, 32, rng=1)
    U = np.linalg.qr(theta.W)[0]
    real = factored.solve_peng_wei_bm
    objectives, residuals = [], []

    def spy(*args, **kwargs):
        res = real(*args, **kwargs)
        objectives.append(res.objective)
        residuals.append(res.primal_residual)
        return res

    monkeypatch.setattr(factored, "solve_peng_wei_bm", spy)
    with pytest.warns(Warning) as caught:           # an unreachable tolerance: every start stops short
        res = factored.bm_cluster(heavy, U, 2, robust=True, alpha=0.05, L=None,
                                  rounding="spectral", readmit=True, max_sdp=None,
                                  rng=np.random.default_rng(0),
                                  solver_opts={"tol": 1e-15, "max_outer": 5, "n_starts": 3})
    assert len(objectives) == 3
    feasible = [o for o, r in zip(objectives, residuals) if r <= 1e-14]
    # the feasible start of lowest objective, else the least infeasible one
    assert res.objective == (min(feasible) if feasible
                             else objectives[int(np.argmin(residuals))])
    assert sum("Burer–Monteiro" in str(w.message) for w in caught) == 1
    objectives.clear()
    factored.bm_cluster(heavy, U, 2, robust=False, alpha=0.0, L=None, rounding="spectral",
                        readmit=True, max_sdp=None, rng=np.random.default_rng(0))
    assert len(objectives) == 1                     # optimal at once: no restart


def test_red_team_trial_that_stalled_the_robust_solve():
    """Regression test for an attack the red team found (α = 0.05, light
    tasks of heterogeneous sizes): a spike on light1, an in-span centre shift
    of 2.5 s on the heavy pool and two tasks of 1e234 values in light2 left
    the single-start robust Peng–Wei at a stationary point that kept the 20
    shifted tasks and shed 20 clean ones (max‖ŵ−w‖/s = 2.46). With restarts
    the error is the clean-data level (0.08)."""
    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr import MetaLearner
    from robust_mlr.adversary import corrupt_pools
    from robust_mlr.adversary.redteam import strategy_attack

    theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([0, 11]))
    strategy = {"light1": ("subspace_spike", {"strength": 11.35820318299283}),
                "heavy": ("centre_shift", {"shift": 2.5373563943490858, "in_span": True}),
                "light2": ("extreme_values", {"exponent": 234.11262705189844,
                                              "channel": "both", "n_extreme": 2})}
    bad = corrupt_pools(pools, strategy_attack(strategy), 0.05, theta=theta,
                        settings={"alpha": 0.05}, rng=np.random.default_rng([0, 113]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(theta.k, 0.05, rng=0).fit(bad)
    err = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
    assert err["w_err"] < 0.25                      # the α = 0.05 target (clean: 0.08)
