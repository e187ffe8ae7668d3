"""Degenerate tasks within the corruption budget: groups of identical tasks
(noise-free points, zero distance within a group), constant tasks, exact
duplicates and ±1e300 values, in any pool. No robust clustering method and
no robust learner may raise on them; each defence is also tested against the
attack it stops."""

import warnings

import numpy as np
import pytest

from robust_mlr import MetaDataset, MetaLearner, make_params, make_pools, metrics
from robust_mlr.demo import DEFAULT_PROBLEM
from robust_mlr.exceptions import SolverFailedError
from robust_mlr.stages.clustering import factored, sdp_cluster
from sos.exceptions import SolverInaccurateWarning

METHODS = ("peng_wei_robust", "peng_wei", "moments_robust", "kmeans", "single", "average",
           "em_robust", "auto")
#: The robust methods of small heavy tasks (t_H = 4: EM, the moment estimator).
SMALL_HEAVY_METHODS = ("em_robust", "moments_robust", "auto")
FAMILIES = ("identical", "constant", "duplicated", "extreme")


def _replace(data, tasks, X0, y0):
    """``data`` with every example of task ``tasks[i]`` set to (X0[i], y0[i])."""
    X, y = data.X.copy(), data.y.copy()
    first = np.repeat(np.arange(tasks.size), data.sizes[tasks])
    idx = np.concatenate([np.arange(data.offsets[i], data.offsets[i + 1]) for i in tasks])
    X[idx], y[idx] = X0[first], y0[first]
    comp = data.components.copy()
    comp[tasks] = -1
    return MetaDataset(X, y, data.offsets, comp)


def degenerate(data, kind, alpha, rng, groups=3, radius=4.0):
    """Replace ⌊αn⌋ tasks of ``data`` by degenerate ones of family ``kind``."""
    n, d = data.n_tasks, data.dim
    tasks = np.sort(rng.choice(n, int(np.floor(alpha * n)), replace=False))
    m = tasks.size
    sy = np.median(np.abs(data.y)) * 1.4826
    if kind == "identical":           # groups of copies, each one noise-free far point
        g = np.arange(m) % groups
        V = rng.standard_normal((groups, d))
        V *= np.sqrt(d) / np.linalg.norm(V, axis=1, keepdims=True)
        return _replace(data, tasks, V[g], (radius * sy * rng.choice([-1, 1], groups))[g])
    if kind == "constant":            # each task one repeated example
        return _replace(data, tasks, rng.standard_normal((m, d)), sy * rng.standard_normal(m))
    if kind == "duplicated":          # exact copies of one clean task
        src = int(np.setdiff1d(np.arange(n), tasks)[0])
        sub = data.subset(np.r_[np.setdiff1d(np.arange(n), tasks), np.full(m, src)])
        return MetaDataset(sub.X, sub.y, sub.offsets,
                           np.r_[data.components[np.setdiff1d(np.arange(n), tasks)],
                                 np.full(m, -1)])
    X, y = data.X.copy(), data.y.copy()    # "extreme": ±1e300 entries
    for i in tasks:
        a = data.offsets[i]
        X[a, rng.integers(d)] = rng.choice([-1e300, 1e300])
        y[a] = rng.choice([-1e300, 1e300])
    return MetaDataset(X, y, data.offsets, data.components)


@pytest.fixture(scope="module")
def small():
    theta = make_params(12, 3, rng=0)
    return theta, make_pools(theta, 8000, 2, 120, 96, 4000, 8, rng=1)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("method", METHODS)
def test_no_robust_clustering_method_raises_on_degenerate_tasks(small, method, kind):
    """⌊αn⌋ degenerate tasks in every pool at once: an estimate, no error."""
    _fit_finite(*small, method, kind, np.random.default_rng(7))


def _fit_finite(theta, pools, method, kind, rng):
    """⌊αn⌋ tasks of ``kind`` in every pool: a finite estimate within 1.0."""
    bad = pools.replace(**{p: degenerate(pools[p], kind, 0.05, rng) for p in pools.names})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(theta.k, 0.05, clustering=method, rng=0).fit(bad)
    assert np.all(np.isfinite(model.W_)) and np.all(np.isfinite(model.s2_))
    assert metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 1.0


@pytest.fixture(scope="module")
def small_heavy():
    theta = make_params(12, 3, rng=0)
    return theta, make_pools(theta, 8000, 2, 3000, 4, 4000, 8, rng=1)


@pytest.mark.parametrize("kind", FAMILIES)
@pytest.mark.parametrize("method", SMALL_HEAVY_METHODS)
def test_no_robust_method_raises_on_degenerate_small_heavy_tasks(small_heavy, method, kind):
    """The same at t_H = 4 (the likelihood-EM and moment path)."""
    _fit_finite(*small_heavy, method, kind, np.random.default_rng(8))


# ------------------------------------------- the default problem's attacks


@pytest.fixture(scope="module")
def default():
    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=1)
    return theta, pools


def copies(pools, theta, groups, radius, in_span, seed):
    """⌊0.05 n_H⌋ heavy tasks as ``groups`` groups of identical tasks, each
    group one noise-free point ``radius`` × ‖w‖ from the origin, in span(W)
    or in a random direction; every example passes the screen."""
    rng = np.random.default_rng(seed)
    H = pools.heavy
    n, d = H.n_tasks, H.dim
    tasks = rng.choice(n, int(np.floor(0.05 * n)), replace=False)
    wn = np.linalg.norm(theta.W, axis=0).mean()
    X0, y0, order = [], [], []
    for grp in np.array_split(tasks, groups):
        p = theta.W @ rng.standard_normal(theta.k) if in_span else rng.standard_normal(d)
        p *= radius * wn / np.linalg.norm(p)
        rng.standard_normal(d)          # unused draw: keeps the measured trials' streams
        X0 += [p / np.linalg.norm(p) * np.sqrt(d)] * grp.size
        y0 += [np.linalg.norm(p) / np.sqrt(d)] * grp.size
        order += list(grp)
    order = np.array(order)
    return pools.replace(heavy=_replace(H, order, np.array(X0), np.array(y0)))


def _error(model, theta):
    return metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]


def test_identical_far_tasks_do_not_merge_components(default):
    """Three groups of identical heavy tasks 8‖w‖ out in span(W): the k-means
    start gave them three clusters and the 380 clean tasks one, and the
    robust solve ended there, "optimal" by a penalty and an escape gate
    scaled by ‖D·Y₀‖ (60× the clean value): two components merged,
    max‖ŵ−w‖/s 1.09. The clustering stage now leaves the far tasks out."""
    theta, pools = default
    bad = copies(pools, theta, 3, 8.0, True, 1002)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(theta.k, 0.05, rng=2).fit(bad)
    assert _error(model, theta) < 0.06                      # clean: 0.040
    assert model.diagnostics_["clustering"]["far_tasks"] == 20


@pytest.mark.parametrize("method", ["kmeans", "single", "moments_robust", "peng_wei"])
def test_far_tasks_take_no_cluster_of_their_own(default, method):
    """Four groups of identical heavy tasks 50‖w‖ out: every method that
    gives each task a cluster gave them clusters of their own, and a
    component then received no light task (EmptyClusterError)."""
    theta, pools = default
    bad = copies(pools, theta, 4, 50.0, False, 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(theta.k, 0.05, clustering=method, rng=2).fit(bad)
    assert _error(model, theta) < 0.07                      # clean: 0.040 / 0.050
    assert model.diagnostics_["clustering"]["far_tasks"] == 20


# ----------------------------------------------- the Burer–Monteiro solve


def _split_pair_tasks(n, seed, radius=30.0, groups=3):
    """n tasks of two examples whose split pair (with U = I) is the chosen
    pair of points: four unit-separated clusters, ⌊n/20⌋ tasks in ``groups``
    groups of identical noise-free points ``radius`` away."""
    rng = np.random.default_rng(seed)
    k = 4
    z = rng.integers(k, size=n)
    P = np.eye(k)[z] + 0.35 * rng.standard_normal((n, k))
    Q = np.eye(k)[z] + 0.35 * rng.standard_normal((n, k))
    far = rng.choice(n, n // 20, replace=False)
    for grp in np.array_split(far, groups):
        v = rng.standard_normal(k)
        P[grp] = Q[grp] = v * radius / np.linalg.norm(v)
        z[grp] = -1
    X = np.empty((2 * n, k))
    X[0::2], X[1::2] = P, Q
    return MetaDataset(X, np.ones(2 * n), np.arange(0, 2 * n + 1, 2), z), k


@pytest.mark.parametrize("seed", [0, 1])
def test_robust_solve_recovers_from_a_hijacked_start(seed):
    """Called directly (no far-task rule in front), the robust solve starts
    from k-means labels that give the three far groups clusters of 2 tasks
    and the clean tasks one. With the cost unit ‖D·Y₀‖/(n‖Y₀‖) the solve
    ended there (accuracy 0.42, objective 130); with the robust unit that
    start fails to become feasible, the failure is caught and the next start,
    with the far tasks shed, recovers the clusters."""
    data, k = _split_pair_tasks(120, seed)
    true = data.components >= 0
    with pytest.warns(SolverInaccurateWarning, match="warm starts failed"):
        res = sdp_cluster(data, np.eye(k), k, relaxation="peng_wei_robust", alpha=0.05,
                          L=1, rng=0)
    assert res.info["solver"]["status"] == "optimal"
    assert metrics.clustering_accuracy(res.labels[true], data.components[true], k) >= 0.97
    assert np.all(res.labels[~true] == -1)


def test_a_failed_start_is_caught_and_only_all_failures_raise(monkeypatch):
    """The restart policy around failures: a start that raises is followed
    by the next start (and a warning), and only when every start fails does
    the error reach the caller, naming the solver and the size."""
    theta = make_params(8, 2, rng=0)
    from robust_mlr import make_tasks
    heavy = make_tasks(theta, 60, 32, rng=1)
    U = np.linalg.qr(theta.W)[0]
    real, calls = factored.solve_peng_wei_bm, []

    def first_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise SolverFailedError("Burer–Monteiro solver (n=60): injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(factored, "solve_peng_wei_bm", first_fails)
    with pytest.warns(SolverInaccurateWarning, match="1 of 2 warm starts failed"):
        res = sdp_cluster(heavy, U, 2, relaxation="peng_wei_robust", alpha=0.05, rng=0)
    assert len(calls) == 2 and res.info["solver"]["status"] == "optimal"

    def always_fails(*args, **kwargs):
        raise SolverFailedError("injected failure")

    monkeypatch.setattr(factored, "solve_peng_wei_bm", always_fails)
    with pytest.raises(SolverFailedError, match=r"Burer–Monteiro solver \(n=60, k=2\): all 3"):
        sdp_cluster(heavy, U, 2, relaxation="peng_wei_robust", alpha=0.05, rng=0)


# ------------------------------------------------ the robust moment estimator


def test_robust_moments_estimate_when_the_subspace_misses_a_centre():
    """A corrupted subspace that swapped a true direction for an empty one
    leaves the heavy tasks' M2 without a k-th positive eigenvalue: the plain
    estimator refuses it (ValidationError), the robust one returns an
    estimate of the centres it can see and a CorruptionWarning."""
    from robust_mlr import ValidationError, make_tasks
    from robust_mlr.exceptions import CorruptionWarning
    from robust_mlr.stages.clustering import moment_clustering, robust_moment_clustering
    theta = make_params(12, 3, rng=0)
    heavy = make_tasks(theta, 20000, 4, rng=3)      # a draw whose 3rd eigenvalue is < 0
    v = np.linalg.qr(np.c_[theta.W, np.random.default_rng(2).standard_normal(12)])[0][:, 3]
    U = np.linalg.qr(np.c_[theta.W[:, :2], v])[0]          # w_3's direction swapped for v
    with pytest.raises(ValidationError, match="M2"):
        moment_clustering(heavy, U, 3, rng=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = robust_moment_clustering(heavy, U, 3, alpha=0.05, rng=0)
    assert any(w.category is CorruptionWarning and "ridged" in str(w.message) for w in caught)
    W, r2, p = res.info["estimates"]
    assert np.all(np.isfinite(W)) and np.all(r2 > 0) and p.sum() == pytest.approx(1.0)
    seen = np.linalg.norm(W[:, :, None] - theta.W[:, None, :2], axis=0).min(axis=0)
    assert np.all(seen / theta.s[:2] < 0.5)                 # the two centres it can see


def test_groups_of_copies_inside_the_bulk_are_set_aside(default):
    """Four groups of five heavy tasks whose examples are one (x, y) each:
    the two with small y sit inside the bulk, where the distance rule cannot
    see them (only 10 of 20 were set aside), and the robust solve then ran
    its 60 augmented-Lagrangian updates from each of three starts ("inaccurate",
    0.9 s → 28 s). Noise-free tasks are set aside wherever they lie."""
    theta, pools = default
    H = pools.heavy
    rng = np.random.default_rng(94)
    tasks = rng.choice(H.n_tasks, 20, replace=False)
    group = np.arange(20) % 4
    X0 = rng.standard_normal((4, H.dim))
    y0 = np.array([-1.95, -0.32, -1.67, -0.51])
    bad = pools.replace(heavy=_replace(H, tasks, X0[group], y0[group]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MetaLearner.robust(theta.k, 0.05, rng=0).fit(bad)
    info = model.diagnostics_["clustering"]
    assert info["far_tasks"] == 20 and info["solver"]["status"] == "optimal"
    assert info["solver"]["outer_iterations"] < 30
    assert _error(model, theta) < 0.06                      # clean: 0.040


# ------------------------------------------------------------ the robust EM


def test_robust_em_gives_groups_of_copies_no_component():
    """⌊αn⌋ heavy tasks of t_H = 4 < q = 16 examples in three groups of one
    repeated example: a group is fitted exactly, so as an EM component its
    σ² collapses to the floor, a likelihood no true component matches; on
    this draw one group became a component (p̂ 0.017) while two true ones
    merged (max‖ŵ−w‖/s 1.45). Noise-free tasks are outliers from the start."""
    from robust_mlr import make_tasks
    from robust_mlr.stages.clustering import robust_em_clustering
    theta = make_params(16, 4, rng=1)
    heavy = make_tasks(theta, 4000, 4, rng=11)
    rng = np.random.default_rng(1)
    tasks = np.sort(rng.choice(4000, 200, replace=False))
    group = np.arange(200) % 3
    X0, y0 = rng.standard_normal((3, 16)), rng.standard_normal(3)
    bad = _replace(heavy, tasks, X0[group], y0[group])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = robust_em_clustering(bad, np.linalg.qr(theta.W)[0], 4, alpha=0.05, rng=0)
    W, s2, p = res.info["estimates"]
    errors = metrics.parameter_errors(W, s2, p, theta)
    assert errors["w_err"] < 0.1 and errors["s2_err"] < 0.15          # clean: 0.048, 0.087
    assert p.min() > 0.2
    assert res.info["degenerate_tasks"] == 200 and np.all(res.outliers[tasks])


# ------------------------------------------ the moment estimator's direction filter


def test_robust_moments_filter_a_spike_inside_the_norm_trim():
    """⌊αn⌋ heavy tasks whose group statistics y·x are g·u plus isotropic
    noise, u along w_1 and the RMS group norm 3.8 medians (inside the 4×
    norm trim): they add α‖g‖³ u^{⊗3} to M3, and with the norm trim alone
    max‖W̃ − W‖/s was 2.84 (clean 0.078). The directional filter in the
    space of per-task moments removes every one of them."""
    from robust_mlr import make_tasks
    from robust_mlr.stages.clustering import robust_moment_clustering
    theta = make_params(12, 3, rng=0)
    heavy = make_tasks(theta, 20000, 4, rng=10)
    rng = np.random.default_rng(0)
    U = np.linalg.qr(theta.W)[0]
    b = heavy.y[:, None] * (heavy.X @ U)
    rms = np.sqrt(np.add.reduceat(np.sum(b ** 2, 1), heavy.offsets[:-1]) / heavy.sizes)
    g = 3.8 * np.median(rms) / np.sqrt(3)
    u = theta.W[:, 0] / np.linalg.norm(theta.W[:, 0])
    tasks = np.sort(rng.choice(20000, 1000, replace=False))
    a = rng.choice([-1.0, 1.0], 4000)
    R = rng.standard_normal((4000, 12))
    R -= np.outer(R @ u, u)
    X, y = heavy.X.copy(), heavy.y.copy()
    rows = (heavy.offsets[tasks][:, None] + np.arange(4)).ravel()
    X[rows], y[rows] = a[:, None] * u + R, g * a
    bad = MetaDataset(X, y, heavy.offsets, heavy.components)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = robust_moment_clustering(bad, U, 3, alpha=0.05, rng=0)
    assert np.all(res.outliers[tasks]) and res.outliers.sum() < 1100
    W, r2, p = res.info["estimates"]
    assert metrics.parameter_errors(W, r2, p, theta)["w_err"] < 0.3


def test_robust_relaxation_falls_back_to_em_when_every_start_fails():
    """Every Burer–Monteiro start stopped after one update fails (constraint
    violation 0.16): under a threat model the robust stage returns robust
    EM's clustering with a CorruptionWarning naming the solver's error;
    without one (α = 0) the SolverFailedError is raised."""
    from robust_mlr.stages.clustering import PengWei
    from robust_mlr.exceptions import CorruptionWarning
    theta = make_params(16, 3, rng=0)
    pools = make_pools(theta, 3000, 2, 60, 48, 1500, 8, rng=1)
    starved = {"max_outer": 1, "max_inner": 1}
    model = MetaLearner.robust(3, 0.05, rng=0,
                               clustering=PengWei(robust=True, solver_opts=starved))
    with pytest.warns(CorruptionWarning, match=r"relaxation failed \(Burer–Monteiro solver "
                                               r"\(n=60, k=3\): all 3 warm starts failed"):
        model.fit(pools)
    assert metrics.clustering_accuracy(model.heavy_labels_, pools.heavy.components, 3) >= 0.95
    assert metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.2
    with pytest.raises(SolverFailedError, match=r"all 3 warm starts failed"):
        MetaLearner.robust(3, 0.0, rng=0,
                           clustering=PengWei(robust=True, solver_opts=starved)).fit(pools)
