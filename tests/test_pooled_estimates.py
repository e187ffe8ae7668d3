"""The heavy-pool anchor of the robust regression stage: the final ŵ pools
the light estimate with a robust estimate from the heavy tasks, the light
estimate moving it only within a χ²_d consistency region
(docs/robust_pipeline.md, "Pooling the heavy tasks into ŵ")."""

import warnings

import numpy as np
import pytest
from scipy import stats

from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_tasks
from robust_mlr.exceptions import CorruptionWarning, ValidationError
from robust_mlr.generator import default_problem
from robust_mlr.limits import two_point_floor
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression, Huber, cross_check_noise
from robust_mlr.threat import ThreatModel

ALPHA = 0.05


def _fit(pools, theta, anchor):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        model = MetaLearner.robust(theta.k, ALPHA, rng=0,
                                   regression=FilterRegression(anchor=anchor)).fit(pools)
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    return parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"], warned, model


def _with_light2(pools, idx, X3, Y2):
    """Pools with light-2 tasks ``idx`` (all of size t) replaced by cubes."""
    L2 = pools.light2
    t, d = int(L2.sizes[0]), L2.dim
    X, y = L2.X.reshape(L2.n_tasks, t, d).copy(), L2.y.reshape(L2.n_tasks, t).copy()
    X[idx], y[idx] = X3, Y2
    return Pools(pools.light1, pools.heavy,
                 MetaDataset(X.reshape(-1, d), y.reshape(-1), L2.offsets))


def _off_span(theta, rng):
    d, k = theta.W.shape
    Q, _ = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal(d)]))
    return Q[:, k]


def _edge_placement(theta, pools, delta, rng):
    """⌊αn⌋ light-2 tasks of component 0 replaced by noise-free tasks at
    w₀ + δ·s·u whose designs have u as an exact eigenvector of XᵀX: every
    corrupted task has the same gradient, so the light filter's top
    eigenvalue stays under its edge (0.20 on this problem without the anchor)."""
    L2, u = pools.light2, _off_span(theta, rng)
    t, d, b = int(L2.sizes[0]), L2.dim, int(np.floor(ALPHA * L2.n_tasks))
    idx = rng.choice(np.flatnonzero(L2.components == 0), b, replace=False)
    G = rng.standard_normal((b, t, d))
    G -= (G @ u)[..., None] * u
    a = rng.standard_normal((b, t))
    a *= np.sqrt(t) / np.linalg.norm(a, axis=1, keepdims=True)
    an = a / np.sqrt(t)
    G -= an[..., None] * np.einsum("nt,ntd->nd", an, G)[:, None, :]
    X3 = G + a[..., None] * u
    return _with_light2(pools, idx, X3, X3 @ (theta.W[:, 0] + delta * theta.s[0] * u))


def _midpoint(theta, pools, rng, frac=0.98):
    """Light 2's two-point attack: component 0's light-2 law moved to the
    midpoint of its laws at w₀ and w₀ + δ·s·u, δ just under twice light 2's
    two-point floor, by ⌊αn⌋ replacements (rejection sampling)."""
    L2, u = pools.light2, _off_span(theta, rng)
    t, d, s = int(L2.sizes[0]), L2.dim, theta.s[0]
    w0 = theta.W[:, 0]
    w1 = w0 + 2 * two_point_floor(t, theta.p[0], ALPHA) * frac * s * u
    X3, Y2 = L2.X.reshape(L2.n_tasks, t, d), L2.y.reshape(L2.n_tasks, t)

    def loglr(X, y, num, den):
        return (np.sum((y - X @ den) ** 2, -1) - np.sum((y - X @ num) ** 2, -1)) / (2 * s ** 2)

    comp0 = np.flatnonzero(L2.components == 0)
    prob = 0.5 * np.clip(1 - np.exp(loglr(X3[comp0], Y2[comp0], w1, w0)), 0, None)
    pick = comp0[rng.random(comp0.size) < prob][:int(np.floor(ALPHA * L2.n_tasks))]
    X = rng.standard_normal((8 * pick.size, t, d))
    y = X @ w1 + s * rng.standard_normal((8 * pick.size, t))
    acc = rng.random(len(y)) < np.clip(1 - np.exp(loglr(X, y, w0, w1)), 0, None)
    assert acc.sum() >= pick.size
    return _with_light2(pools, pick, X[acc][:pick.size], y[acc][:pick.size])


@pytest.fixture(scope="module")
def problem():
    return default_problem(rng=0)


@pytest.fixture(scope="module")
def clean_fits(problem):
    theta, pools = problem
    return {anchor: _fit(pools, theta, anchor) for anchor in (True, False)}


def test_anchor_keeps_the_clean_estimate_and_stays_quiet(problem, clean_fits):
    theta, pools = problem
    (err, warned, model), (err_light, _, _) = clean_fits[True], clean_fits[False]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        icml = MetaLearner.icml(theta.k, rng=0).fit(pools)
    err_icml = parameter_errors(icml.W_, icml.s2_, icml.p_, theta)["w_err"]
    assert not warned
    assert err <= err_light + 0.003          # pooling adds the heavy examples
    assert err <= 1.5 * err_icml
    anchor = model.diagnostics_["regression"]["anchor"]
    assert anchor["passed"] and np.all(anchor["statistic"] < anchor["threshold"])


def test_anchor_stops_the_exact_edge_placement(problem, clean_fits):
    theta, pools = problem
    bad = _edge_placement(theta, pools, 0.7, np.random.default_rng(98))
    err, warned, model = _fit(bad, theta, True)
    err_light, warned_light, _ = _fit(bad, theta, False)
    assert err_light > 0.15 and not warned_light     # light 2 alone: moved, silently
    assert err < 0.10 and warned
    assert model.diagnostics_["regression"]["anchor"]["shrunk"].any()


def test_anchor_beats_the_light_pools_two_point_floor(problem):
    theta, pools = problem
    bad = _midpoint(theta, pools, np.random.default_rng(97))
    err, _, _ = _fit(bad, theta, True)
    err_light, _, _ = _fit(bad, theta, False)
    assert err_light > 0.13                          # ≈ light 2's floor, 0.19
    assert err < 0.09


def test_pull_sets_how_far_the_light_pool_moves_the_anchor(problem):
    # light 2's two-point attack: pull 0 keeps the heavy estimates exactly;
    # a larger pull lets the light estimate move them further
    theta, pools = problem
    bad = _midpoint(theta, pools, np.random.default_rng(97))
    moves = []
    for pull in (0.0, 0.5, 1.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MetaLearner.robust(theta.k, ALPHA, rng=0,
                                       regression=FilterRegression(pull=pull)).fit(bad)
        anchor = model.diagnostics_["regression"]["anchor"]
        # the stages see the screen's rescaled units, W_ = c · W in them
        heavy = anchor["W_heavy"]
        if pull == 0.0:
            c = np.sum(model.W_ * heavy) / np.sum(heavy * heavy)
            assert np.allclose(model.W_, c * heavy, rtol=0, atol=1e-12)
        moves.append(np.linalg.norm(model.W_ / c - heavy, axis=0))
    assert np.all(moves[1] <= moves[2] + 1e-12) and moves[2].max() > 1.4 * moves[1].max() > 0
    with pytest.raises(ValidationError, match="pull.*-1"):
        MetaLearner.robust(2, 0.05, regression=FilterRegression(pull=-1)).fit(
            default_problem(rng=0, quick=True)[1])


def test_a_pull_without_the_anchor_is_refused():
    # pull only bounds the anchor's move: with anchor=False it would be ignored
    pools = default_problem(rng=0, quick=True)[1]
    for stage in (FilterRegression(anchor=False, pull=0.0), Huber(anchor=False, pull=0.5)):
        with pytest.raises(ValidationError, match=r"pull=0\.[05] has no effect with anchor=False"):
            MetaLearner.robust(3, 0.05, rng=0, regression=stage).fit(pools)


def test_heavy_estimate_bounds_a_shift_of_the_whole_heavy_budget():
    # 20 of the 100 heavy tasks of component 0 (the pool's whole ⌊αn_H⌋)
    # moved to w₀ + δ·s·u: far ones (δ = 1.5) are removed by the whitened
    # filter, near ones (δ = 0.3, about the largest it lets through) move the
    # heavy estimate along u by about ε·δ = 0.06 (clean: 0.02 along u on this
    # draw), and the pooled estimate, whose light part is clean, by less.
    theta = make_params(32, 4, rng=3)
    light = make_tasks(theta, 20000, 8, rng=4)
    heavy = make_tasks(theta, 400, 128, rng=5)
    rng = np.random.default_rng(6)
    u = _off_span(theta, rng)
    idx = np.flatnonzero(heavy.components == 0)[:20]
    X, y = heavy.X.reshape(400, 128, 32).copy(), heavy.y.reshape(400, 128).copy()
    for delta in (0.3, 1.5):
        X[idx] = rng.standard_normal((20, 128, 32))
        y[idx] = X[idx] @ (theta.W[:, 0] + delta * theta.s[0] * u) \
            + theta.s[0] * rng.standard_normal((20, 128))
        bad = MetaDataset(X.reshape(-1, 32), y.reshape(-1), heavy.offsets)
        stage = FilterRegression().fit(light, light.components, 4, heavy=bad,
                                       threat=ThreatModel(ALPHA), rng=0)
        anchor = stage.info_["anchor"]
        assert (anchor["W_heavy"][:, 0] - theta.W[:, 0]) @ u / theta.s[0] < 0.09, delta
        assert np.linalg.norm(stage.W_[:, 0] - theta.W[:, 0]) / theta.s[0] < 0.06, delta
        if delta > 1:
            assert anchor["heavy"][0]["removed"] >= 15


def test_consistency_statistic_is_chi_square_on_clean_data():
    # T = Dᵀ(Σ_L + Σ_H)⁻¹D, D = ŵ_L − ŵ_H, is χ²_d on clean data (d = 8):
    # 80 values (40 seeds × 2 components); the mean of 80 χ²_8 has sd 0.45.
    T = []
    for seed in range(40):
        theta = make_params(8, 2, rng=seed)
        light = make_tasks(theta, 2000, 8, rng=[seed, 1])
        heavy = make_tasks(theta, 60, 64, rng=[seed, 2])
        stage = FilterRegression().fit(light, light.components, 2, heavy=heavy,
                                       threat=ThreatModel(ALPHA), rng=seed)
        T.extend(stage.info_["anchor"]["statistic"])
    T = np.asarray(T)
    assert abs(T.mean() - 8) < 4 * np.sqrt(16 / T.size)
    assert stats.kstest(T, stats.chi2(8).cdf).pvalue > 1e-3
    assert np.sum(T > stats.chi2.ppf(0.9, 8)) <= 8 + 3 * np.sqrt(80 * 0.09)


def test_small_heavy_tasks_fall_back_to_the_light_pool():
    # t_H = 4 in d = 32, k = 8: a heavy task's component is a guess, so
    # neither the anchor nor the ŝ² cross-check is used; the cross-check would
    # assign each task to the component that fits it best and pull ŝ² low.
    theta = make_params(32, 8, rng=0)
    light = make_tasks(theta, 8000, 16, rng=1)
    heavy = make_tasks(theta, 8000, 4, rng=2)
    stage = FilterRegression().fit(light, light.components, 8, heavy=heavy,
                                   threat=ThreatModel(ALPHA), rng=0)
    info = stage.info_
    assert not info["heavy_assignment"]["reliable"]
    assert "skipped" in info["anchor"] and "skipped" in info["noise_check"]
    rel = np.abs(stage.s2_ / theta.s ** 2 - 1)
    assert rel.max() < 0.1
    clipped, _ = cross_check_noise(heavy, None, stage.W_, stage.s2_)
    assert np.max(1 - clipped / theta.s ** 2) > 0.15


def test_anchor_option_is_validated():
    with pytest.raises(ValidationError, match="anchor"):
        MetaLearner.robust(2, 0.05, regression=FilterRegression(anchor="yes")).fit(
            default_problem(rng=0, quick=True)[1])


def test_heavy_estimate_caps_the_leverage_of_long_designs():
    """The fifth red team's worst W attack: heavy tasks placed on the
    regression filter's edge with designs long along the shift direction
    (the room the screen leaves), plus light-pool copies and a quantile
    swap. Weighted by their full information X_iᵀX_i, the 20 corrupted heavy
    tasks carried the heavy estimate along u and its filter removed clean
    tasks instead (0.264 before the cap on each task's information per
    direction, warned)."""
    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr.adversary import attack_settings, corrupt_pools
    from robust_mlr.adversary.redteam import strategy_attack

    theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([0, 11]))
    clean = MetaLearner.robust(4, ALPHA, rng=0).fit(pools)
    strategy = {"light1": ["copies", {"kind": "identical", "groups": 1}],
                "heavy": ["edge_placement", {"component": 0, "level": 0.551,
                                             "direction": "orthogonal", "noise": 0.2162,
                                             "x_level": 0.3186}],
                "light2": ["quantile_swap", {"component": 0, "level": 0.966,
                                             "direction": "down"}]}
    bad = corrupt_pools(pools, strategy_attack(strategy), ALPHA, theta=theta,
                        settings=attack_settings(clean, ALPHA),
                        rng=np.random.default_rng([0, 17, 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(4, ALPHA, rng=0).fit(bad)
    assert parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.08


def test_noise_pooling_known_answers():
    """ŝ² pooling: the heavy median h with standard error σ_H (half-width / z)
    and the light estimate with σ_L; D = ŝ²_L − h is shrunk onto 0.674·σ_D."""
    theta = make_params(8, 2, rng=0)
    heavy = make_tasks(theta, 200, 64, rng=1)
    W = theta.W
    base, info = cross_check_noise(heavy, heavy.components, W, theta.s ** 2)
    h, se_h = info["heavy_centre"], info["heavy_half_width"] / 3
    # a precise light estimate close to h is kept (almost all its weight)
    close = h + 0.1 * se_h
    out, _ = cross_check_noise(heavy, heavy.components, W, close, se_light=1e-6 * se_h)
    np.testing.assert_allclose(out, close, rtol=1e-9)
    # a useless light estimate leaves the heavy median
    out, _ = cross_check_noise(heavy, heavy.components, W, close + 5, se_light=1e6 * se_h)
    np.testing.assert_allclose(out, h, rtol=1e-6)
    # a far light estimate of equal precision moves it by half the radius
    far = h + 10 * se_h
    out, info = cross_check_noise(heavy, heavy.components, W, far, se_light=se_h)
    np.testing.assert_allclose(out, h + 0.5 * 0.6744897501960817 * np.sqrt(2) * se_h)
    assert info["shrunk"].all()


def _starved(theta, light, heavy, kind, component):
    """Heavy pool with ⌊αn_H⌋ of ``component``'s tasks replaced by the
    public ``anchor_starve`` attack (clean draws of the other components, or
    singular-design tasks of the component with three times its noise)."""
    from robust_mlr.adversary import AnchorStarve, Targeted, corrupt_pools

    attack = Targeted(AnchorStarve(component=component, kind=kind, ratio=3.0), ["heavy"])
    return corrupt_pools(Pools(light, heavy, light), attack, ALPHA, theta=theta, rng=8).heavy


@pytest.mark.parametrize("kind", ["others", "degenerate"])
def test_a_starved_component_keeps_its_anchor(kind):
    # Component 1 holds 83 of the 400 heavy tasks; the attack takes 20 of
    # them out of the anchor's count (63 left). The adversary controls at
    # most ⌊αn_H⌋ = 20 tasks, so 63 usable tasks keep a clean majority
    # however it placed them ("others"), and singular designs are seen
    # corrupted tasks that use up its budget ("degenerate"). The rule
    # "2·excess_limit + 3 = 71 usable tasks" left the component light-only:
    # with light 2's edge placement on it, 0.20 from the truth, silently.
    theta = make_params(32, 4, rng=5)
    light = make_tasks(theta, 20000, 8, rng=6)
    heavy = make_tasks(theta, 400, 128, rng=7)
    assert np.bincount(heavy.components)[1] == 83
    bad_heavy = _starved(theta, light, heavy, kind, 1)
    rng = np.random.default_rng(9)
    u = _off_span(theta, rng)
    L2, t, d = light, 8, 32
    idx = rng.choice(np.flatnonzero(L2.components == 1), int(ALPHA * L2.n_tasks), replace=False)
    G = rng.standard_normal((idx.size, t, d))
    G -= (G @ u)[..., None] * u                      # designs with u an exact eigenvector
    a = rng.standard_normal((idx.size, t))
    a *= np.sqrt(t) / np.linalg.norm(a, axis=1, keepdims=True)
    an = a / np.sqrt(t)
    G -= an[..., None] * np.einsum("nt,ntd->nd", an, G)[:, None, :]
    X3 = G + a[..., None] * u
    X, y = L2.X.reshape(-1, t, d).copy(), L2.y.reshape(-1, t).copy()
    X[idx], y[idx] = X3, X3 @ (theta.W[:, 1] + 0.7 * theta.s[1] * u)
    bad_light = MetaDataset(X.reshape(-1, d), y.reshape(-1), L2.offsets)
    stage = FilterRegression().fit(bad_light, L2.components, 4, heavy=bad_heavy,
                                   threat=ThreatModel(ALPHA), rng=0)
    rec = stage.info_["anchor"]["heavy"][1]
    assert rec["anchored"] and rec["tasks"] >= 60
    assert np.linalg.norm(stage.W_[:, 1] - theta.W[:, 1]) / theta.s[1] < 0.08
    assert not stage.info_["passed"]                 # the light estimate was moved: said so


def test_a_component_without_an_anchor_is_not_silent():
    # Component 0 has share 0.13: 53 heavy tasks, anchored on clean data
    # (43 needed at ⌊αn_H⌋ = 20). Replacing 20 of them by clean draws of the
    # others leaves 33 < 43, too few for a majority whatever the adversary
    # did, so the component keeps its light-only estimate; light 2's own
    # two-point floor there (t = 8, p = 0.13) is 6× the heavy pool's, so the
    # stage's test fails (a CorruptionWarning in the learner) instead of
    # passing silently.
    theta = make_params(32, 4, p=np.array([0.13, 0.29, 0.29, 0.29]), rng=3)
    light = make_tasks(theta, 20000, 8, rng=4)
    heavy = make_tasks(theta, 400, 128, rng=5)
    threat = ThreatModel(ALPHA)
    clean = FilterRegression().fit(light, light.components, 4, heavy=heavy, threat=threat, rng=0)
    assert clean.info_["anchor"]["heavy"][0]["anchored"] and clean.info_["passed"]
    bad = _starved(theta, light, heavy, "others", 0)
    stage = FilterRegression().fit(light, light.components, 4, heavy=bad, threat=threat, rng=0)
    rec = stage.info_["anchor"]["heavy"][0]
    assert not rec["anchored"] and rec["needed"] == 43 and rec["tasks"] < 43
    assert rec["light_floor"] > 2 * rec["heavy_floor"] and not rec["passed"]
    assert not stage.info_["passed"]
