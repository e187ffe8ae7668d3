"""Mistakes a new user makes in Python end in an exception naming what is wrong."""

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, make_params, make_pools
from robust_mlr.adversary import Targeted, corrupt_pools
from robust_mlr.exceptions import SolverFailedError, ValidationError


def test_task_of_the_wrong_shape_is_reported_as_given():
    with pytest.raises(ValidationError, match=r"task 0: X_i has shape \(3,\) and y_i \(3,\)"):
        MetaDataset.from_tasks([(np.ones(3), np.ones(3))])
    one = MetaDataset.from_tasks([(np.ones(3), 1.0)])           # a 1-D X_i is one example
    assert (one.n_tasks, one.dim) == (1, 3)


def test_icml_fit_on_overflowing_light_tasks_names_the_solver_and_size():
    """Finite values whose squares overflow (the threat model admits them)
    crash the ICML subspace moment; the error says why, not scipy's
    'array must not contain infs or NaNs'."""
    theta = make_params(8, 2, rng=0)
    pools = make_pools(theta, 3000, 2, 80, 64, 2000, 8, rng=1)
    bad = corrupt_pools(pools, Targeted("extreme_values", ["light1"]), 0.05, theta=theta, rng=0)
    with np.errstate(over="ignore", invalid="ignore"), \
            pytest.raises(SolverFailedError, match=r"eigensolver.*8 x 8 matrix has non-finite"):
        MetaLearner.icml(2, rng=0).fit(bad)


def test_make_pools_names_a_misspelled_task_option():
    theta = make_params(8, 2, rng=0)
    with pytest.raises(ValidationError, match=r"make_pools has no option 'x_dst' "
                                              r"\(did you mean 'x_dist'\?\)"):
        make_pools(theta, 100, 2, 20, 16, 100, 4, x_dst="student")
    pools = make_pools(theta, 100, 2, 20, 16, 100, 4, x_dist="student", noise="student",
                       df=4.0, rng=0)                  # the options it passes on all work
    assert pools.light1.n_tasks == 100


def test_prediction_names_support_of_another_dimension():
    theta = make_params(8, 2, rng=0)
    model = MetaLearner(2, rng=0).fit(make_pools(theta, 2000, 2, 60, 64, 1000, 8, rng=1))
    other = make_pools(make_params(4, 2, rng=0), 10, 2, 4, 64, 10, 4, rng=1).light2
    with pytest.raises(ValidationError, match=r"support has dimension 4; the fitted "
                                              r"MetaLearner has d = 8"):
        model.predict(other, np.zeros((other.n_tasks, 4)))


@pytest.mark.parametrize("clustering, needle", [
    ("single", "single linkage chains at small separations (try clustering='linkage' or 'em')"),
    ("linkage", "the clustering Linkage(linkage='average', refine=True) did not separate"),
    ("em", "the clustering EM() did not separate"),
])
def test_unbalanced_heavy_clusters_warning_names_the_clustering_that_ran(clustering, needle):
    # Heavy tasks of 4 examples are too small for any of them at this
    # separation; the warning must not suggest the stage the user just ran.
    theta = make_params(d=8, k=4, rng=0)
    pools = make_pools(theta, 4000, 2, 100, 4, 3000, 4, rng=1)
    with pytest.warns(UserWarning, match="far below") as record:
        MetaLearner(4, clustering=clustering, rng=0).fit(pools)
    message = next(str(w.message) for w in record if "far below" in str(w.message))
    assert needle in message, message


def test_default_problem_names_a_misspelled_size():
    from robust_mlr.generator import default_problem
    with pytest.raises(ValidationError, match=r"has no option 'n_l1' \(did you mean "
                                              r"'n_light1'\?\); valid options: d, k, n_light1"):
        default_problem(rng=0, quick=True, problem={"n_l1": 100})
    theta, pools = default_problem(rng=0, quick=True, problem={"n_light1": 100})
    assert pools.light1.n_tasks == 100


def test_misspelled_solver_option_is_named_at_fit():
    from robust_mlr.generator import default_problem
    from robust_mlr.stages.clustering import PengWei
    theta, pools = default_problem(rng=0, quick=True)
    robust = MetaLearner.robust(3, 0.05, rng=0)
    robust.set_params(clustering__large__solver_opts={"max_escape": 0})   # Burer–Monteiro
    with pytest.raises(ValidationError, match=r"solver_opts .* has no option 'max_escape' "
                                              r"\(did you mean 'max_escapes'\?\)"):
        robust.fit(pools)
    robust.set_params(clustering__large__solver_opts={"max_escapes": "zero"})   # a bad value
    with pytest.raises(ValidationError, match=r"^solver_opts of the Burer–Monteiro solver: "
                                              r"max_escapes must be an integer, got 'zero'$"):
        robust.fit(pools)
    scs = MetaLearner(3, clustering=PengWei(solver="SCS", max_sdp=30,
                                            solver_opts={"epz": 1e-3}), rng=0)
    with pytest.raises(ValidationError, match=r"solver_opts \{'epz': 0.001\}: SCS rejects a "
                                              r"solver option \('epz'"):
        scs.fit(pools)


def test_sos_solve_names_an_option_the_solver_rejects():
    import cvxpy as cp
    import sos
    x = cp.Variable()
    problem = cp.Problem(cp.Minimize(x), [x >= 1])
    with pytest.raises(sos.SosValidationError, match="SCS rejects a solver option "
                                                     r"\('max_iter'"):
        sos.solve(problem, "SCS", max_iter=5)
    assert sos.solve(problem, "SCS", max_iters=500)["status"] == "optimal"


@pytest.mark.parametrize("labels, needle", [
    (lambda n: np.zeros(3, int), r"Bad._cluster returned labels of shape \(3,\) .* "
                                 r"expected \(60,\) integers"),
    (lambda n: np.full(n, 7), r"labels from 7 to 7; expected 0..1 \(k=2\), or -1"),
    (lambda n: np.zeros(n), r"type float64; expected \(60,\) integers"),
])
def test_own_clustering_stage_returning_bad_labels_is_named(labels, needle):
    # the documented extension point: a stage's answer is checked, not left to fail later
    from robust_mlr.stages.clustering import ClusteringResult, ClusteringStage

    class Bad(ClusteringStage):
        def _cluster(self, data, U, k, threat, rng, options):
            lab = labels(data.n_tasks)
            return ClusteringResult(lab, np.zeros(lab.size, bool))

    pools = make_pools(make_params(8, 2, rng=0), 2000, 2, 60, 32, 1000, 8, rng=1)
    with pytest.raises(ValidationError, match=needle):
        MetaLearner(2, clustering=Bad(), rng=0).fit(pools)


@pytest.mark.parametrize("U, needle", [
    (np.zeros((8, 1)), r"S._estimate returned U of shape \(8, 1\) .* expected a \(8, 2\)"),
    (np.full((8, 2), np.nan), r"\(not finite\); expected a \(8, 2\) array of finite floats"),
    (2 * np.eye(8)[:, :2], r"columns are not orthonormal \(max \|UᵀU − I\| = 3\)"),
])
def test_own_subspace_stage_returning_a_bad_basis_is_named(U, needle):
    from robust_mlr.stages.subspace import SubspaceResult, SubspaceStage

    class S(SubspaceStage):
        def _estimate(self, data, k, threat, rng, options):
            return SubspaceResult(U)

    pools = make_pools(make_params(8, 2, rng=0), 2000, 2, 60, 32, 1000, 8, rng=1)
    with pytest.raises(ValidationError, match=needle):
        MetaLearner(2, subspace=S(), rng=0).fit(pools)


@pytest.mark.parametrize("out, needle", [
    ((np.zeros((8, 1)), np.ones(2), np.full(2, 0.5), {}),
     r"R._fit returned W, s2, p of shapes \(8, 1\), \(2,\), \(2,\); expected \(8, 2\)"),
    ((np.zeros((8, 2)), -np.ones(2), np.full(2, 0.5), {}), r"s2=\[-1.0, -1.0\].*>= 0"),
    ((np.zeros((8, 2)), np.ones(2), np.full(2, 0.5)), r"must return a tuple \(W, s2, p, info\)"),
])
def test_own_regression_stage_returning_bad_estimates_is_named(out, needle):
    from robust_mlr.stages.regression import RegressionStage

    class R(RegressionStage):
        def _fit(self, data, labels, k, threat, rng, options, skip_empty):
            return out

    pools = make_pools(make_params(8, 2, rng=0), 2000, 2, 60, 32, 1000, 8, rng=1)
    with pytest.raises(ValidationError, match=needle):
        MetaLearner(2, regression=R(), rng=0).fit(pools)


def test_prediction_names_support_that_is_not_a_dataset_and_non_finite_queries():
    from robust_mlr import make_tasks
    theta = make_params(8, 2, rng=0)
    model = MetaLearner(2, rng=0).fit(make_pools(theta, 2000, 2, 60, 64, 1000, 8, rng=1))
    support, X_query, _ = make_tasks(theta, 5, 5, rng=2).split_query()
    tasks = [support.task(i) for i in range(support.n_tasks)]
    with pytest.raises(ValidationError, match=r"support must be a MetaDataset .*got list"):
        model.predict(tasks, X_query)
    X_query[3, 1] = np.nan
    with pytest.raises(ValidationError, match=r"X_query contains a non-finite value nan at "
                                              r"index \(3, 1\)"):
        model.predict(support, X_query)
    assert np.isfinite(model.predict(MetaDataset.from_tasks(tasks), np.nan_to_num(X_query))).all()


def test_more_components_than_heavy_tasks_is_named():
    theta = make_params(8, 3, rng=0)
    pools = make_pools(theta, 2000, 2, 2, 32, 1000, 8, rng=1)
    with pytest.raises(ValidationError, match=r"k=3 components but the heavy pool has 2 "
                                              r"task\(s\)"):
        MetaLearner(3, rng=0).fit(pools)
