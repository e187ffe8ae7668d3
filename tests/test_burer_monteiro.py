"""Nonnegative Burer–Monteiro solver of the (robust) Peng–Wei SDP: against
SCS on the same cvxpy problem, against planted exact solutions, and its
failure / inaccuracy reporting."""
import warnings
from pathlib import Path

import cvxpy as cp
import numpy as np
import pytest

from robust_mlr import SolverFailedError, ValidationError, metrics
from robust_mlr.stages.clustering import (DenseCost, LowRankCost, peng_wei_problem,
                                           robust_diag_cap, solve_peng_wei_bm)
from sos import SolverInaccurateWarning


def _split_points(n, k, sep, seed, dim=5, noise=0.5):
    """Two noisy copies P, Q of k planted centres (one split pair)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, dim)) * sep
    lab = rng.integers(k, size=n)
    return (centres[lab] + noise * rng.standard_normal((n, dim)),
            centres[lab] + noise * rng.standard_normal((n, dim)), lab)


def _scs(D, k, alpha, robust):
    Z, obj, cons = peng_wei_problem(D, k, alpha, robust)
    prob = cp.Problem(obj, cons)
    prob.solve(solver="SCS", eps=1e-7, max_iters=100000)
    assert prob.status == "optimal"
    return prob.value


# instances where the SDP optimum has rank ≤ the factor's rank (moderate to
# large separation); harder, high-rank instances need a larger `rank`
CASES = [(40, 3, 3.0, False, 0), (60, 3, 1.0, False, 0), (60, 3, 2.0, True, 0),
         (50, 2, 1.5, True, 3), (60, 4, 2.0, False, 5)]


@pytest.mark.parametrize("n,k,sep,robust,seed", CASES)
def test_matches_scs_objective_and_is_feasible(n, k, sep, robust, seed):
    """Objective within 1e-3 (relative) of SCS at eps=1e-7 on the same D:
    SCS's own error is ≈ 1e-6 here, so 1e-3 is the BM solver's budget. The
    dual bound is valid: never above SCS's value (up to SCS's accuracy)."""
    P, Q, lab = _split_points(n, k, sep, seed)
    op = LowRankCost(P, Q)
    res = solve_peng_wei_bm(op, k, robust=robust, alpha=0.1, rng=0)
    ref = _scs(op.dense(), k, 0.1, robust)
    assert abs(res.objective - ref) <= 1e-3 * max(1.0, abs(ref))
    assert res.status == "optimal" and res.primal_residual <= 1e-4
    assert res.dual_bound <= ref + 1e-5 * max(1.0, abs(ref))
    assert np.all(res.Y >= 0)
    Z = res.Y @ res.Y.T
    assert np.trace(Z) == pytest.approx(k, abs=1e-4)
    mass = res.row_mass()
    if robust:
        assert mass.max() <= 1 + 1e-4 and mass.sum() >= 0.9 * n - 1e-3 * n
        assert np.diag(Z).max() <= robust_diag_cap(n, 0.1) + 1e-4
    else:
        np.testing.assert_allclose(mass, 1.0, atol=1e-4)


def test_dense_and_low_rank_costs_agree():
    P, Q, _ = _split_points(30, 3, 1.0, 1)
    low = LowRankCost(P, Q, scale=2.0)
    Y = np.random.default_rng(2).random((30, 4))
    D = ((P[:, None] - P[None]) * (Q[:, None] - Q[None])).sum(-1) / 2.0
    np.testing.assert_allclose(low.dense(), D, atol=1e-12)
    np.testing.assert_allclose(low.matmul(Y), D @ Y, atol=1e-10)
    np.testing.assert_allclose(DenseCost(D).matmul(Y), D @ Y)
    a = solve_peng_wei_bm(low, 3, rng=0)
    b = solve_peng_wei_bm(D, 3, rng=0)
    assert a.objective == pytest.approx(b.objective, rel=1e-6, abs=1e-8)


def _planted(sizes, outliers=0, seed=0):
    """Points: tight clusters 10 apart (+ far outliers); D = squared distances."""
    rng = np.random.default_rng(seed)
    cent = 10.0 * np.eye(len(sizes) + outliers)[:, :max(len(sizes) + outliers, 2)]
    pts = np.vstack([cent[c] + 0.01 * rng.standard_normal((s, cent.shape[1]))
                     for c, s in enumerate(sizes)]
                    + [100.0 * cent[len(sizes) + o][None] for o in range(outliers)])
    labels = np.repeat(np.arange(len(sizes)), sizes)
    return ((pts[:, None] - pts[None]) ** 2).sum(-1), labels


def test_planted_exact_solution():
    """Clusters 10 apart with spread 0.01: the Peng–Wei SDP is tight and its
    unique optimum is Z* = block diagonal 1/|C|, value Σ_C mean within-D."""
    D, lab = _planted([8, 12, 10])
    res = solve_peng_wei_bm(D, 3, rng=1)
    Zs = (lab[:, None] == lab[None]) / np.bincount(lab)[lab][:, None]
    np.testing.assert_allclose(res.Y @ res.Y.T, Zs, atol=1e-4)
    assert res.objective == pytest.approx(np.sum(D * Zs), rel=1e-5, abs=1e-6)
    assert res.gap is not None and res.gap >= -1e-6


def test_planted_robust_sheds_far_outliers():
    """αn far outliers: the robust optimum puts zero mass on their rows and
    the block-diagonal solution on the clean tasks."""
    D, lab = _planted([10, 10], outliers=2)
    n = D.shape[0]
    res = solve_peng_wei_bm(D, 2, robust=True, alpha=2 / n, rng=0)
    mass = res.row_mass()
    np.testing.assert_allclose(mass[-2:], 0.0, atol=1e-3)
    np.testing.assert_allclose(mass[:-2], 1.0, atol=1e-3)
    Zs = (lab[:, None] == lab[None]) / 10.0
    np.testing.assert_allclose((res.Y @ res.Y.T)[:-2, :-2], Zs, atol=1e-3)


@pytest.mark.parametrize("n,seed", [(96, 1), (98, 0), (99, 0)])
def test_robust_solve_converges_when_alpha_n_is_not_whole(n, seed):
    """Robust Peng–Wei on clean heavy tasks with αn not an integer (as when a
    few tasks have been set aside). With the mass bound (1 − α) n, one row
    had to hold a fractional mass, a flat direction L-BFGS-B could not follow:
    every one of these ran all 60 augmented-Lagrangian updates, raising the
    penalty to 1e8 units and the multipliers with it (0.6–10 s against 0.5 s
    at n = 100). With the budget in whole tasks (n − ⌊αn⌋) each is optimal
    within the clean number of updates at a clean penalty."""
    from robust_mlr import make_params, make_tasks
    from robust_mlr.stages.clustering import projected_chunks
    theta = make_params(16, 4, rng=0)
    heavy = make_tasks(theta, n, 128, rng=seed)
    B = projected_chunks(heavy, np.linalg.qr(theta.W)[0], 2)
    res = solve_peng_wei_bm(LowRankCost(B[0], B[1]), 4, robust=True, alpha=0.05, rng=0)
    assert res.status == "optimal" and res.primal_residual <= 1e-4
    assert res.info["outer_iterations"] <= 20
    scale = float(np.median(np.abs(LowRankCost(B[0], B[1]).dense())))
    assert res.info["penalty"] <= 1e3 * scale
    assert res.row_mass().sum() >= n - np.floor(0.05 * n) - 1e-3


def test_iteration_cap_warns_inaccurate():
    """Five updates of ten L-BFGS-B steps each: not enough for 1e-5."""
    P, Q, _ = _split_points(40, 3, 1.0, 0)
    with pytest.warns(SolverInaccurateWarning, match=r"n=40, k=3"):
        res = solve_peng_wei_bm(LowRankCost(P, Q), 3, max_outer=5, max_inner=10, rng=0)
    assert res.status == "inaccurate"


def test_failure_names_solver_and_size():
    P, Q, _ = _split_points(40, 3, 1.0, 0)
    with pytest.raises(SolverFailedError, match=r"Burer–Monteiro.*n=40, k=3"):
        solve_peng_wei_bm(LowRankCost(P, Q), 3, max_outer=1, max_inner=1, rng=0)

    class Broken(DenseCost):
        def matmul(self, Y):
            return np.full_like(Y, np.nan)
    with pytest.raises(SolverFailedError, match=r"n=40.*non-finite"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        solve_peng_wei_bm(Broken(np.zeros((40, 40))), 3, rng=0)


def test_bad_inputs():
    D, _ = _planted([5, 5])
    with pytest.raises(ValidationError, match="k"):
        solve_peng_wei_bm(D, 11)
    with pytest.raises(ValidationError, match="rank"):
        solve_peng_wei_bm(D, 3, rank=2)
    with pytest.raises(ValidationError, match="square"):
        DenseCost(np.zeros((3, 4)))
    with pytest.raises(ValidationError, match="init_labels"):
        solve_peng_wei_bm(D, 2, init_labels=np.zeros(3, int))


def _bench_heavy(n, seed=1):
    """Heavy tasks of the benchmark (d = 32, k = 4, t_H = 128), one split pair."""
    from robust_mlr import make_params, make_tasks
    from robust_mlr.stages.clustering import projected_chunks
    theta = make_params(32, 4, rng=0)
    heavy = make_tasks(theta, n, 128, rng=seed)
    B = projected_chunks(heavy, np.linalg.qr(theta.W)[0], 2)
    D = LowRankCost(B[0], B[1]).dense()
    scale = np.median(np.abs(D[~np.eye(n, dtype=bool)]))
    return LowRankCost(B[0], B[1], scale=scale), B.mean(axis=0)


def test_robust_escapes_reach_the_scs_value():
    """Robust Peng–Wei on 100 benchmark tasks from the k-means start: the
    first stationary point sheds five whole rows and is 2 % above the SDP
    value (SCS at eps = 1e-7, error ≈ 1e-6), while the optimum sheds mass
    fractionally. The second-order escapes (split a column along a negative
    eigenvector of M on its support; add a nonnegative column that brings a
    shed row back) reach the SCS value within 1e-3; without them the solver
    stays > 1e-3 away (so the check can fail)."""
    from robust_mlr.stages.clustering import kmeans
    op, points = _bench_heavy(100)
    init = kmeans(points, 4, np.random.default_rng(0))
    ref = _scs(op.dense(), 4, 0.05, True)
    res = solve_peng_wei_bm(op, 4, robust=True, alpha=0.05, init_labels=init, rng=0)
    assert res.status == "optimal" and res.info["escapes"] >= 1
    assert abs(res.objective - ref) <= 1e-3 * max(1.0, abs(ref))
    assert res.primal_residual <= 1e-4 and np.all(res.Y >= 0)
    stuck = solve_peng_wei_bm(op, 4, robust=True, alpha=0.05, init_labels=init, rng=0,
                              max_escapes=0)
    assert stuck.objective - ref > 1e-3 * max(1.0, abs(ref))


DATA = Path(__file__).parent / "data" / "redteam_bm_trial.npz"


def _tasks_from_chunks(path):
    """Heavy tasks of two examples whose y·x are the saved projected chunk
    means B (2, n, b), with U = I: ``sdp_cluster`` builds exactly the
    distance the learner's clustering stage built."""
    from robust_mlr import MetaDataset
    f = np.load(path)
    B, n = f["B"], f["B"].shape[1]
    X = np.empty((2 * n, B.shape[2]))
    X[0::2], X[1::2] = B[0], B[1]
    data = MetaDataset(X, np.ones(2 * n), np.arange(0, 2 * n + 1, 2),
                       components=f["components"])
    return data, np.eye(B.shape[2]), int(f["k"]), float(f["alpha"])


def _redteam_heavy():
    """The screened heavy tasks of a red-team trial as the clustering stage
    sees them (tests/data/make_redteam_bm_fixture.py), and the SCS value of
    its SDP."""
    data, _, k, alpha = _tasks_from_chunks(DATA)
    return data, k, alpha, float(np.load(DATA)["scs_objective"])


def test_red_team_trial_that_merged_two_components():
    """Regression test for a red-team attack (α = 0.05, heterogeneous light
    sizes; spike on light1, in-span centre shift on the heavy pool, extreme
    values on light2): the k-means warm start puts the 10 corrupted heavy
    tasks in a cluster of their own and merges two true components, and the
    robust Burer–Monteiro solve stopped there — a stationary point with
    objective 86.4 on the normalised distance, where the SDP value (SCS) is
    −2.18 — merging true components 0 and 3 (learner error 1.40). The
    escape steps split the merged column; the solve reaches the SCS value
    within 1e-3, recovers the components (accuracy ≥ 0.97 on the true tasks;
    one clean task may stay an outlier, as with SCS) and keeps every
    corrupted task out."""
    from robust_mlr.stages.clustering import sdp_cluster
    data, k, alpha, ref = _redteam_heavy()
    true = data.components >= 0
    res = sdp_cluster(data, np.eye(k), k, relaxation="peng_wei_robust", alpha=alpha, rng=0)
    assert res.info["solver"]["escapes"] >= 1
    assert abs(res.objective - ref) <= 1e-3 * max(1.0, abs(ref))
    assert metrics.clustering_accuracy(res.labels[true], data.components[true], k) >= 0.97
    assert np.all(res.labels[~true] == -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolverInaccurateWarning)
        old = sdp_cluster(data, np.eye(k), k, relaxation="peng_wei_robust", alpha=alpha,
                          rng=0, solver_opts={"max_escapes": 0, "n_starts": 1})
    assert old.objective > ref + 10                 # the stationary point the fix escapes
    assert metrics.clustering_accuracy(old.labels[true], data.components[true], k) < 0.9


def test_escape_resolve_ends_once_settled():
    """The heavy pool of the red team's slowest fit (copies on light1, an
    anchor leak on the heavy pool, a component shift on light2; fixture
    tests/data/make_slow_escape_fixture.py): after an escape step the
    augmented Lagrangian drifts along a flat valley, each update lowering
    the objective by a few tol. Ending the re-solve once an update moves it
    by less than the gain a step must show (``escape_settle``, 10 tol) gives
    the same clustering and the same status as running the plain test
    (``escape_settle=1``) to the end, an objective within 1e-3 of it, in
    less than half the L-BFGS-B steps."""
    from robust_mlr.stages.clustering import sdp_cluster
    data, U, k, alpha = _tasks_from_chunks(Path(__file__).parent / "data"
                                           / "slow_escape_heavy.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SolverInaccurateWarning)
        full, settled = (sdp_cluster(data, U, k, relaxation="peng_wei_robust", alpha=alpha,
                                     rng=0, solver_opts={"escape_settle": s})
                         for s in (1.0, 10.0))
    f, s = full.info["solver"], settled.info["solver"]
    assert f["escapes"] >= 1 and s["escapes"] >= 1
    assert f["status"] == s["status"] == "optimal"
    assert np.array_equal(settled.labels, full.labels)
    assert abs(settled.objective - full.objective) <= 1e-3 * abs(full.objective)
    assert s["inner_iterations"] < 0.5 * f["inner_iterations"]
    with pytest.raises(ValidationError, match="escape_settle"):
        solve_peng_wei_bm(np.zeros((4, 4)), 2, escape_settle=0.5)


@pytest.mark.slow
def test_red_team_fixture_reference_value():
    """The stored SCS value of the fixture is the robust Peng–Wei SDP value
    of its median-normalised distance (SCS at eps = 1e-7 again)."""
    data, k, alpha, ref = _redteam_heavy()
    B = np.load(DATA)["B"]
    D = LowRankCost(B[0], B[1]).dense()
    D /= np.median(np.abs(D[~np.eye(D.shape[0], dtype=bool)]))
    assert _scs(D, k, alpha, True) == pytest.approx(ref, rel=1e-5, abs=1e-5)
