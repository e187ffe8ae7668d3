"""White-box families aimed at the hardened defences (tiny problems, seconds)."""

import numpy as np
import pytest
from scipy.stats import chi2

from robust_mlr import ValidationError, make_params, make_pools
from robust_mlr.adversary import (CandidateOverflow, CentreDrag, MedianPush, QuantileSwap,
                                  SignalTheft, SureMimic, budget, corrupt_pools)
from robust_mlr.stages.screening import screen_pools
from experiments.adaptive import heavy_tailed_sizes


@pytest.fixture(scope="module")
def problem():
    theta = make_params(10, 3, rng=0)
    return theta, make_pools(theta, 400, 2, 60, 24, 300, heavy_tailed_sizes, rng=1)


@pytest.mark.parametrize("att", [CandidateOverflow(), CandidateOverflow(12, 1.0, 0.3),
                                 MedianPush(), MedianPush(1, 0.0, "down"),
                                 QuantileSwap(), QuantileSwap(2, 0.99, "down"),
                                 CentreDrag(), CentreDrag(1, 2.0, 0.5, "orthogonal"),
                                 SureMimic(), SureMimic(0, 2, 0.05),
                                 SignalTheft(), SignalTheft(1, 2, 1.2, 0.3, 3)])
def test_budget_determinism_finite(problem, att):
    theta, pools = problem
    runs = [corrupt_pools(pools, att, 0.1, theta=theta, targets=("light1", "heavy", "light2"),
                          settings={"alpha": 0.1}, rng=5) for _ in range(2)]
    for pool in ("light1", "heavy", "light2"):
        a, b = runs[0][pool], runs[1][pool]
        assert runs[0].masks[pool].sum() == budget(0.1, pools[pool].n_tasks)
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)
        assert np.all(np.isfinite(a.X)) and np.all(np.isfinite(a.y))


def test_candidate_overflow_passes_the_screen(problem):
    # at the full room (x_frac = 1) every covariate sits 3 % under the screen's
    # χ² limit, and y_frac < 1 keeps responses under the y limit: nothing removed
    theta, pools = problem
    bad = corrupt_pools(pools, CandidateOverflow(6, 1.0, 0.9), 0.1, theta=theta, rng=2)
    _, _, info = screen_pools(bad, 0.1)
    assert info["light1"]["n_removed"] == 0
    X = bad.light1.X[np.repeat(bad.masks["light1"], bad.light1.sizes)]
    lim = chi2.isf(1e-3 / (2 * bad.light1.X.shape[0]), 10)
    u = np.sum(X ** 2, axis=1)
    assert u.max() < lim and u.min() > 0.8 * lim       # at the edge, not far inside


def test_median_push_takes_other_components_and_fits_exactly(problem):
    theta, pools = problem
    out = corrupt_pools(pools, MedianPush(component=2, fill=0.0, direction="down"), 0.1,
                        theta=theta, targets=("light2",), rng=3)
    mask = out.masks["light2"]
    assert np.all(pools.light2.components[mask] != 2)   # a's clean tasks all stay
    bad = out.light2.subset(np.flatnonzero(mask))
    np.testing.assert_allclose(bad.y, bad.X @ theta.W[:, 2], atol=1e-12)   # RSS = 0


def test_median_push_up_stays_under_the_flag_limit(problem):
    theta, pools = problem
    out = corrupt_pools(pools, MedianPush(component=0, fill=0.9), 0.1, theta=theta,
                        targets=("light2",), settings={"flag_level": 1e-3}, rng=4)
    bad = out.light2.subset(np.flatnonzero(out.masks["light2"]))
    rss = bad.task_sums((bad.y - bad.X @ theta.W[:, 0]) ** 2) / theta.s[0] ** 2
    lim = chi2.ppf(1 - 1e-3, bad.sizes)
    assert np.all(rss <= lim) and np.all(rss > chi2.median(bad.sizes))   # above the median


def test_quantile_swap_takes_the_low_tail_and_writes_above_the_median(problem):
    # "up": the swapped tasks are exactly component a's lowest clean ratios
    # RSS/(s_a² med χ²_t), and the written tasks' RSS is at the χ² quantiles
    # [level − 0.05, level] at the true w_a (exact by construction)
    theta, pools = problem
    a, level = 1, 0.8
    out = corrupt_pools(pools, QuantileSwap(a, level, "up"), 0.1, theta=theta,
                        targets=("light2",), rng=3)
    clean, mask = pools.light2, out.masks["light2"]
    ratio = clean.task_sums((clean.y - clean.X @ theta.W[:, a]) ** 2) / (
        theta.s[a] ** 2 * chi2.median(clean.sizes))
    mine = clean.components == a
    assert mask.sum() < mine.sum()                         # all taken from component a
    assert np.all(clean.components[mask] == a)
    assert ratio[mask].max() <= ratio[mine & ~mask].min()   # the lowest ratios went
    bad = out.light2.subset(np.flatnonzero(mask))
    q = chi2.cdf(bad.task_sums((bad.y - bad.X @ theta.W[:, a]) ** 2) / theta.s[a] ** 2,
                 bad.sizes)
    assert np.all((q >= level - 0.05 - 1e-9) & (q <= level + 1e-9))
    down = corrupt_pools(pools, QuantileSwap(a, level, "down"), 0.1, theta=theta,
                         targets=("light2",), rng=3).masks["light2"]
    assert ratio[down].min() >= ratio[mine & ~down].max()  # "down": the highest went


def test_signal_theft_takes_the_tail_along_the_separating_direction(problem):
    theta, pools = problem
    out = corrupt_pools(pools, SignalTheft(component=0, other=2), 0.1, theta=theta,
                        settings={"clip": 2.0}, rng=1)
    clean, mask = pools.light1, out.masks["light1"]
    v = (theta.W[:, 0] - theta.W[:, 2]) / np.linalg.norm(theta.W[:, 0] - theta.W[:, 2])
    c = 2.0 * 1.4826 * np.median(np.abs(clean.y))
    along = np.abs(clean.task_sums(clean.X * np.clip(clean.y, -c, c)[:, None]) @ v)
    assert along[mask].min() >= along[~mask].max()     # exactly the tail along v went
    bad = out.light1.subset(np.flatnonzero(mask))
    assert np.all(np.abs(bad.y) <= c)                    # written under the clipping level


def test_sure_mimic_and_centre_drag_take_their_components(problem):
    theta, pools = problem
    out = corrupt_pools(pools, SureMimic(component=1, source=0), 0.1, theta=theta, rng=2)
    assert np.all(pools.light2.components[out.masks["light2"]] == 0)
    bad = out.light2.subset(np.flatnonzero(out.masks["light2"]))
    rss = bad.task_sums((bad.y - bad.X @ theta.W[:, 1]) ** 2) / theta.s[1] ** 2
    np.testing.assert_allclose(rss, chi2.ppf(0.3, bad.sizes))   # exact noise quantile
    out = corrupt_pools(pools, CentreDrag(component=2), 0.1, theta=theta, rng=2)
    assert np.all(pools.heavy.components[out.masks["heavy"]] == 2)


def test_bad_parameters_raise():
    with pytest.raises(ValidationError, match="direction"):
        MedianPush(direction="sideways")
    with pytest.raises(ValidationError, match="level"):
        QuantileSwap(level=0.3)
    with pytest.raises(ValidationError, match="direction"):
        QuantileSwap(direction="left")
    with pytest.raises(ValidationError, match="x_frac"):
        CandidateOverflow(x_frac=2.0)


def test_tight_fake_heavy_cluster_does_not_break_the_fit():
    # found by the red team (heavy=component_shift, α = 0.05, default problem, seed 1):
    # EmptyClusterError in 3 of 3 attack seeds: the robust Peng-Wei optimum
    # kept the 20 shifted tasks as a cluster, merged two true components and
    # removed 19 clean tasks instead. The learner now distrusts a cluster
    # no larger than the plausible corrupted count and clusters the rest
    # again (MetaLearner._cluster).
    import warnings
    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr import MetaLearner, metrics
    from robust_mlr.adversary import Poolwise
    theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([1, 11]))
    att = Poolwise(heavy=("component_shift", dict(component=0, shift=2.77, direction="in_span",
                                                   noise=0.35, pick="largest")))
    bad = corrupt_pools(pools, att, 0.05, theta=theta, settings={"alpha": 0.05}, rng=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, 0.05, rng=0).fit(bad)
    # target of the robustness brief at α = 0.05
    assert metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"] <= 0.25


def _clean_sine_fit(seed):
    """The robust learner on a clean draw of the sine-wave study (its trial
    seed), told α = 0.01 as the study tells it: (model, warnings caught)."""
    import warnings
    from experiments.sine_wave import LEARNERS, sine_params
    from robust_mlr import MetaLearner
    from robust_mlr.generator import make_pools
    rng = np.random.default_rng(seed)
    pools = make_pools(sine_params(8, 16, 0.5), 8192, 8, 128, 16, 8192, 4,
                       x_dist="polynomial", rng=rng)
    fit_rng = rng.spawn(2 + len(LEARNERS))[-1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(8, 0.01, covariates="estimate", rng=fit_rng).fit(pools)
    return m, caught


def test_distrusted_clusters_stay_within_the_corruption_limit_and_warn_as_unidentified():
    # the authors' sine-wave mixture (eight near-coincident waves, 128 heavy
    # tasks of 16 examples), clean: robust Peng-Wei splits the heavy tasks
    # into clusters of which three hold 3-5 tasks, 12 in all. The adversary
    # controls at most limit = 5 tasks, so at most 5 can be a fabricated
    # cluster; distrusting all three removed 14 clean tasks and warned.
    from robust_mlr.exceptions import CorruptionWarning, IdentifiabilityWarning
    m, caught = _clean_sine_fit(1386695043681377811)
    info = m.diagnostics_["clustering"]
    assert info["distrusted_clusters"] >= 1 and info["distrusted_tasks"] <= info["limit"]
    assert m.flagged_["heavy"].sum() <= info["limit"]
    # the clustering's removals are within its limit, and no stage's removals
    # or test suggest corruption: the two components that receive no light
    # task fail the robust regression's test, and each has a neighbour that
    # tasks of four examples cannot tell it from, which the fit reports as
    # such (it raised a CorruptionWarning before)
    assert m.diagnostics_["evidence"] == []
    assert not any(issubclass(w.category, CorruptionWarning) for w in caught)
    close = m.diagnostics_["regression"]["unidentified"]
    assert set(m.diagnostics_["regression"]["unsupported_components"]) <= set(close["components"])
    assert min(close["misclassification"]) >= 0.05
    assert any(issubclass(w.category, IdentifiabilityWarning) for w in caught)


@pytest.mark.parametrize("alpha, spec, seed, w_target", [
    (0.05, dict(component=0, other=1, level=0.9, y_level=0.9), 1, 0.25),
    (0.02, dict(component=2, other=3, level=1.2, y_level=0.9), 2, 0.15)])
def test_signal_theft_does_not_merge_two_components(alpha, spec, seed, w_target):
    # found by the third red team (default problem, problem seed [0, 11], learner
    # seed 0): light1 tasks with the largest |(w_a - w_b)'z_i| replaced by
    # hidden-direction tasks; no task removed by the subspace filter (its
    # bulk-edge test passes at alpha 0.05), ||U'(w_0 - w_1)|| = 0.05 of 1.0, and
    # clustering in U mixed components 0 and 1 (w_err 0.437, s2_err 0.781 at
    # alpha 0.05; 0.338 / 0.773 at alpha 0.02). Fixed by clustering in U plus
    # what the heavy tasks say U misses (heavy_basis) and a noise cross-check
    # on heavy tasks assigned by the final W
    import warnings
    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr import MetaLearner, metrics
    from robust_mlr.adversary import Poolwise
    theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([0, 11]))
    bad = corrupt_pools(pools, Poolwise(light1=("signal_theft", spec)), alpha, theta=theta,
                        settings={"alpha": alpha, "clip": 2.0}, rng=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, alpha, rng=0).fit(bad)
    err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)
    # targets of the robustness brief: W at alpha, s2 relative error 0.15
    assert err["w_err"] <= w_target and err["s2_err"] <= 0.15


@pytest.mark.parametrize("problem_seed, attack_seed", [(1, 2), (0, 7)])
def test_hidden_direction_swap_is_bounded(problem_seed, attack_seed):
    # the swap reported by the second red team "on one attack seed in eight",
    # reproduced by the third: level 1.3 and y_level 0.5 put the three hidden
    # directions above the weakest signal direction; the subspace test fails
    # (and warns). Before the heavy basis: w_err 0.744 on problem seed 1,
    # attack seed 2; on problem seed 0, attack seed 7 the final W survived
    # (0.086) but the noise cross-check clipped s2 into a merged heavy
    # cluster's interval (s2_err 1.40)
    import warnings
    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr import MetaLearner, metrics
    from robust_mlr.adversary import Poolwise
    theta, pools = make_problem(dict(PROBLEM, sizes="fixed"),
                                np.random.default_rng([problem_seed, 11]))
    att = Poolwise(light1=("covariate_spike", dict(level=1.3, y_level=0.5, n_directions=3,
                                                   pick="component")))
    bad = corrupt_pools(pools, att, 0.05, theta=theta, settings={"alpha": 0.05, "clip": 2.0},
                        rng=attack_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, 0.05, rng=problem_seed).fit(bad)
    err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)
    assert err["w_err"] <= 0.25 and err["s2_err"] <= 0.15


def test_small_shift_on_the_largest_light_tasks_is_bounded():
    # found by the third red team (alpha 0.05, --sizes hetero, problem seed [1, 11],
    # learner seed 1, attack seed 1): the largest 5 % of light2 tasks written at
    # w_2 + 0.8 s u (in span, noise 0.5 s) all join component 2 and hold
    # 2 alpha / p_2 = 40 % of its capped weight; shifts 0.4-1.0 s with noise
    # 0.3-0.5 s gave 0.22-0.28 with no evidence raised while the regression
    # filter tested unstandardised gradients, whose clean spread the small
    # tasks dominate. On standardised gradients sqrt(t_i) g_i the filter sees them
    import warnings
    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr import MetaLearner, metrics
    from robust_mlr.adversary import Poolwise
    theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([1, 11]))
    att = Poolwise(light2=("component_shift", dict(component=2, shift=0.8, direction="in_span",
                                                   noise=0.5, pick="largest")))
    bad = corrupt_pools(pools, att, 0.05, theta=theta, settings={"alpha": 0.05, "clip": 2.0},
                        rng=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, 0.05, rng=1).fit(bad)
    assert metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"] <= 0.25


def test_a_distrusted_cluster_does_not_add_a_second_solves_removals():
    # the sine-wave study's clean replicate 9: the first solve set aside
    # ⌊αn⌋ = 1 task, a 4-task cluster was distrusted and the second solve set
    # aside 1 more, 6 removals against a limit of 5 and a CorruptionWarning on
    # clean data; the first solve's choice is now clustered again
    from robust_mlr.exceptions import CorruptionWarning
    m, caught = _clean_sine_fit(5037636676951334277)
    info = m.diagnostics_["clustering"]
    assert info["distrusted_tasks"] >= 1
    assert info["removed"] <= info["limit"] and m.flagged_["heavy"].sum() <= info["limit"]
    assert not any(issubclass(w.category, CorruptionWarning) for w in caught)
