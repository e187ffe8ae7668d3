"""Adaptive attacks and the red-team search (tiny problems, seconds)."""

import numpy as np
import pytest

from robust_mlr import MetaLearner, ValidationError, make_params, make_pools
from robust_mlr.adversary import (ATTACKS, ComponentMimic, CovariateSpike, ExtremeValues,
                                  Poolwise, VarianceInflation, budget, corrupt_pools, red_team)
from robust_mlr.adversary.redteam import evaluate_attack
from experiments.adaptive import heavy_tailed_sizes

NEW = ("covariate_spike", "extreme_values", "component_shift", "variance_inflation",
       "component_mimic", "poolwise")
TINY = dict(d=6, k=2, n_light1=600, t_light1=2, n_heavy=40, t_heavy=32, n_light2=400,
            t_light2=8)


@pytest.fixture(scope="module")
def problem():
    theta = make_params(10, 3, rng=0)
    return theta, make_pools(theta, 400, 2, 60, 24, 300, heavy_tailed_sizes, rng=1)


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("pick", ["random", "largest", "component"])
def test_new_attacks_budget_and_determinism(problem, name, pick):
    theta, pools = problem
    kw = {} if name == "poolwise" else {"pick": pick}
    if name == "poolwise":
        att = Poolwise(light1=("covariate_spike", {"pick": pick}),
                       light2=("variance_inflation", {"pick": pick}))
    else:
        att = ATTACKS[name](**kw)
    runs = [corrupt_pools(pools, att, 0.1, theta=theta, targets=("light1", "heavy", "light2"),
                          settings={"alpha": 0.1}, rng=5) for _ in range(2)]
    for pool in ("light1", "heavy", "light2"):
        a, b, orig = runs[0][pool], runs[1][pool], pools[pool]
        assert runs[0].masks[pool].sum() == budget(0.1, orig.n_tasks)
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)
        assert np.all(np.isfinite(a.X)) and np.all(np.isfinite(a.y))


def test_largest_pick_takes_the_largest_tasks(problem):
    theta, pools = problem
    out = corrupt_pools(pools, VarianceInflation(pick="largest"), 0.05, theta=theta, rng=0)
    sizes, mask = pools.light2.sizes, out.masks["light2"]
    assert sizes[mask].min() >= sizes[~mask].max()     # no clean task is larger
    assert sizes[mask].mean() > 2 * sizes.mean()        # heavy tail: they are much larger


def test_variance_inflation_has_zero_gradient_and_fills_the_flag_limit(problem):
    from scipy.stats import chi2
    theta, pools = problem
    out = corrupt_pools(pools, VarianceInflation(component=1, fill=0.8), 0.1, theta=theta,
                        settings={"flag_level": 1e-3}, rng=1)
    bad = out.light2.subset(np.flatnonzero(out.masks["light2"]))
    r = bad.y - bad.X @ theta.W[:, 1]
    grad = bad.task_sums(bad.X * r[:, None])
    np.testing.assert_allclose(grad, 0, atol=1e-10)      # exact cancellation in pairs
    rss = bad.task_sums(r ** 2)
    limit = chi2.ppf(1 - 1e-3, bad.sizes) * theta.s[1] ** 2
    np.testing.assert_allclose(rss, 0.8 * limit, rtol=1e-10)


def test_covariate_spike_stays_inside_the_trimming_quantile():
    theta = make_params(12, 3, rng=0)
    pools = make_pools(theta, 3000, 2, 30, 16, 100, 4, rng=1)
    out = corrupt_pools(pools, CovariateSpike(level=0.9, y_level=0.2), 0.05, theta=theta,
                        settings={"alpha": 0.05}, rng=2)
    m = out.masks["light1"]
    clip = 2 * 1.4826 * np.median(np.abs(pools.light1.y))     # the statistic's clip level
    # clean filter scores ||Qᵀz||² of the clipped statistic, Q a basis of span(W)
    Q = np.linalg.qr(theta.W)[0]
    yc = np.clip(pools.light1.y, -clip, clip)
    zc = pools.light1.task_sums(pools.light1.X * yc[:, None]) / np.sqrt(2)
    q = np.quantile(np.sum((zc @ Q) ** 2, axis=1), 0.95)
    # the corrupted tasks' scores along their spike direction
    Z = out.light1.task_sums(out.light1.X * out.light1.y[:, None]) / np.sqrt(2)
    e = np.linalg.svd(Z[m], full_matrices=False)[2][0]
    along = (Z[m] @ e) ** 2
    assert np.all(along < q)                             # inside the trimmed range...
    assert np.median(along) > 0.6 * q                    # ...but near its edge
    assert np.abs(out.light1.y[np.repeat(m, 2)]).max() < clip   # responses below the clip


def test_extreme_values_are_finite_and_extreme(problem):
    theta, pools = problem
    for channel in ("x", "y", "both"):
        out = corrupt_pools(pools, ExtremeValues(exponent=300, channel=channel, n_extreme=2),
                            0.1, theta=theta, rng=0)
        for pool in ("light1", "heavy", "light2"):
            d = out[pool]
            assert np.all(np.isfinite(d.X)) and np.all(np.isfinite(d.y))
            big = max(np.abs(d.X).max(), np.abs(d.y).max())
            assert big == 1e300
    with pytest.raises(ValidationError, match="exponent"):
        ExtremeValues(exponent=400)


def test_component_mimic_moves_the_shares(problem):
    theta, pools = problem
    out = corrupt_pools(pools, ComponentMimic(component=0, source=2), 0.1, theta=theta, rng=0)
    z0, m = pools.light2.components, out.masks["light2"]
    assert np.all(z0[m] == 2)                           # only tasks of the source replaced


def test_red_team_is_deterministic():
    runs = [red_team(MetaLearner(2, rng=0), TINY, 0.05, budget=6, seed=4, warm_start=True)
            for _ in range(2)]
    h0, h1 = runs[0].history, runs[1].history
    assert [r.strategy for r in h0] == [r.strategy for r in h1]
    assert [r.error for r in h0] == [r.error for r in h1]
    assert runs[0].worst_error == max(r.error for r in h0)
    assert [r.source for r in h0] == ["catalogue"] * 6
    other = red_team(MetaLearner(2, rng=0), TINY, 0.05, budget=6, seed=5, warm_start=False)
    assert [r.strategy for r in other.history] != [r.strategy for r in h0]


def test_red_team_has_teeth_against_the_icml_learner():
    """Without the catalogue warm start, 30 TPE trials beat every catalogue
    attack (default parameters) on the non-robust learner. Measured: best
    catalogue 1.28, search 7.9 (clean 0.38); the margin is several-fold."""
    cat = red_team(MetaLearner(2, rng=0), TINY, 0.1, budget=12, seed=3, on_crash="ignore")
    assert all(r.source == "catalogue" for r in cat.history)
    search = red_team(MetaLearner(2, rng=0), TINY, 0.1, budget=30, seed=3, warm_start=False,
                      on_crash="ignore")
    assert search.worst_finite.error >= cat.worst_finite.error
    assert search.worst_finite.error > 3 * search.clean_error


def test_crashes_are_recorded_not_raised():
    from robust_mlr.generator import make_tasks
    theta = make_params(6, 2, rng=0)
    pools = make_pools(theta, 600, 2, 40, 32, 400, 8, rng=1)
    test = make_tasks(theta, 50, 5, rng=2).split_query()
    res, status, msg = evaluate_attack(
        lambda: MetaLearner(2, rng=0), theta, pools,
        Poolwise(light1=("extreme_values", {"exponent": 300, "channel": "both"})), 0.05,
        np.random.default_rng(0), test, {"alpha": 0.05})
    assert status in ("ok", "crash")
    if status == "crash":
        assert msg and all(v == np.inf for v in res.values())
    else:
        assert all(np.isfinite(v) for v in res.values())


def test_an_interrupted_search_raises_without_optuna_tracebacks(capfd):
    """Ctrl-C during a trial reaches the caller as KeyboardInterrupt; optuna's
    log of the failed trial (a traceback on stderr) is not printed."""
    import optuna
    before = optuna.logging.get_verbosity()

    def interrupt(record):
        raise KeyboardInterrupt

    capfd.readouterr()
    with pytest.raises(KeyboardInterrupt):
        red_team(MetaLearner(2, rng=0), TINY, 0.05, budget=3, seed=0, warm_start=False,
                 callback=interrupt)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "failed" not in err, err
    assert optuna.logging.get_verbosity() == before


def test_red_team_validates():
    with pytest.raises(ValidationError, match="target"):
        red_team(MetaLearner(2), TINY, 0.05, target="nope", budget=1)
    with pytest.raises(ValidationError, match="families"):
        red_team(MetaLearner(2), TINY, 0.05, budget=1, families={"light1": ("fake_cluster",)})
    with pytest.raises(ValidationError, match="on_crash"):
        red_team(MetaLearner(2), TINY, 0.05, budget=1, on_crash="no")


def test_worst_attack_per_alpha_is_exported_and_replayed_by_robustness(tmp_path, monkeypatch):
    """The adaptive study's worst attack per α becomes the robustness study's
    ``red_team`` row: export from a results file, replay on a fresh problem."""
    import json
    from experiments import adaptive, robustness
    from robust_mlr.engine import read_results, run_sweep
    point = dict(adaptive.QUICK, learner="robust", alpha=0.05, target="W", sizes="fixed",
                 budget=3)
    exp = adaptive.EXPERIMENT.with_grid(grid=[point], replicates=2, name="adaptive_t")
    path = run_sweep(exp, tmp_path, workers=1, progress=False, quiet=True)
    rows = read_results(path)
    worst = adaptive.worst_attacks(rows)
    assert list(worst) == [0.05]
    assert worst[0.05]["worst"] == max(r["worst"] for r in rows)     # best of 2 replicates
    out = adaptive.export_worst_attacks(path, tmp_path / "worst.json")
    saved = json.loads(out.read_text())
    assert saved["0.05"]["strategy"] == worst[0.05]["strategy"]
    # a strategy found at k = 4 names component 3; the k = 3 problem takes it mod k
    saved["0.05"]["strategy"] = {"heavy": ["component_shift", {"component": 3, "shift": 3.0}]}
    out.write_text(json.dumps(saved))
    monkeypatch.setattr(robustness, "WORST_ATTACKS", out)
    res = robustness.trial(dict(robustness.QUICK, attack=robustness.RED_TEAM, alpha=0.05),
                           np.random.default_rng(0))
    assert np.isfinite(res["robust_w_err"]) and np.isfinite(res["icml_w_err"])


LEVERS = ("diluted_lever", "hidden_lever", "shaped_lever")


@pytest.mark.parametrize("name", LEVERS)
def test_the_lever_families_are_searched_on_light2_with_their_defaults_in_range(name):
    import inspect
    from robust_mlr.adversary.redteam import SPACE
    assert ATTACKS[name].targets == ("light2",)
    assert [pool for pool in SPACE if name in SPACE[pool]] == ["light2"]
    space, default = SPACE["light2"][name], ATTACKS[name]()
    assert set(space) <= set(inspect.signature(ATTACKS[name]).parameters)
    for param, spec in space.items():            # a warm start replays the defaults
        value = getattr(default, param)
        if spec[0] in ("float", "logfloat", "int"):
            assert spec[1] <= value <= spec[2], (param, value, spec)
        elif spec[0] == "cat":
            assert value in spec[1], (param, value, spec)


@pytest.mark.parametrize("name", LEVERS)
@pytest.mark.parametrize("corner", [1, 2])
def test_the_lever_families_craft_tasks_at_the_corners_of_their_ranges(problem, name, corner):
    from robust_mlr.adversary.redteam import SPACE
    theta, pools = problem
    params = {p: (0 if spec[0] == "component" else spec[1][corner - 1] if spec[0] == "cat"
                  else spec[corner]) for p, spec in SPACE["light2"][name].items()}
    out = corrupt_pools(pools, ATTACKS[name](**params), 0.1, theta=theta, rng=0)
    assert out.masks["light2"].sum() == budget(0.1, pools.light2.n_tasks)
    assert np.all(np.isfinite(out.light2.X)) and np.all(np.isfinite(out.light2.y))


def test_a_search_of_the_lever_families_starts_from_their_defaults():
    res = red_team(MetaLearner(2, rng=0), TINY, 0.05, budget=5, seed=1, warm_start=False,
                   families={"light2": LEVERS},
                   init_strategies=[{"light2": (name, {})} for name in LEVERS])
    assert [r.strategy["light2"][0] for r in res.history[:3]] == list(LEVERS)
    assert [r.status for r in res.history] == ["ok"] * 5
