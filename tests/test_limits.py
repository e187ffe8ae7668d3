"""Two-point floors under replacement: total variations against brute-force
Monte Carlo, the floors against their defining equations and expansions."""

import numpy as np
import pytest
from scipy import stats

from robust_mlr.exceptions import ValidationError
from robust_mlr.limits import (noise_tv, pool_floors, quantile_noise_error, shift_tv,
                               two_point_floor)


def _mc_tv(log_ratio):
    """TV(P, P') = E_P[(1 − dP'/dP)_+] from draws of P and their log dP'/dP."""
    return float(np.mean(np.clip(1.0 - np.exp(log_ratio), 0.0, None)))


def _tasks(rng, n, t, d, w, s):
    X = rng.standard_normal((n, t, d))
    return X, X @ w + s * rng.standard_normal((n, t))


def _loglik(X, y, w, s):
    """Log density of the responses of each task given X (up to a shared constant)."""
    r = y - X @ w
    return -np.sum(r ** 2, axis=1) / (2 * s ** 2) - y.shape[1] * np.log(s)


@pytest.mark.parametrize("t, delta", [(1, 1.0), (3, 0.7), (8, 0.386)])
def test_shift_tv_matches_monte_carlo_on_whole_tasks(t, delta):
    # the full task law in d = 3 (X and y drawn, exact likelihood ratio), not
    # the one-dimensional reduction the function uses
    rng = np.random.default_rng(0)
    d, s, n = 3, 0.7, 200_000
    w = np.array([0.3, -0.2, 0.5])
    u = rng.standard_normal(d)
    w2 = w + delta * s * u / np.linalg.norm(u)
    X, y = _tasks(rng, n, t, d, w, s)
    mc = _mc_tv(_loglik(X, y, w2, s) - _loglik(X, y, w, s))
    assert shift_tv(t, delta) == pytest.approx(mc, abs=0.004)     # MC s.e. ≈ 0.001


def test_mixture_tv_is_the_share_times_the_component_tv():
    # two-component mixture, only component 0 moves: TV(Q, Q') = p_0 TV(G_0, G_0')
    rng = np.random.default_rng(1)
    d, t, s, n, p0, delta = 2, 4, 0.5, 300_000, 0.3, 0.8
    W = np.array([[1.0, -1.0], [0.0, 0.5]])
    W2 = W.copy()
    W2[:, 0] += delta * s * np.array([0.6, 0.8])
    z = rng.random(n) < p0
    X = rng.standard_normal((n, t, d))
    y = np.where(z[:, None], X @ W[:, 0], X @ W[:, 1]) + s * rng.standard_normal((n, t))

    def mix(Wm):
        return np.logaddexp(np.log(p0) + _loglik(X, y, Wm[:, 0], s),
                            np.log(1 - p0) + _loglik(X, y, Wm[:, 1], s))
    mc = _mc_tv(mix(W2) - mix(W))
    assert mc == pytest.approx(p0 * shift_tv(t, delta), abs=0.004)


@pytest.mark.parametrize("t, ratio", [(2, 3.0), (8, 1.7), (32, 0.6)])
def test_noise_tv_matches_monte_carlo(t, ratio):
    rng = np.random.default_rng(2)
    d, s, n = 2, 1.3, 200_000
    w = np.array([0.4, 0.1])
    X, y = _tasks(rng, n, t, d, w, s)
    mc = _mc_tv(_loglik(X, y, w, s * np.sqrt(ratio)) - _loglik(X, y, w, s))
    assert noise_tv(t, ratio) == pytest.approx(mc, abs=0.004)


def test_heterogeneous_sizes_average_the_tv():
    sizes = np.array([2, 2, 2, 8])
    assert shift_tv(sizes, 0.5) == pytest.approx(0.75 * shift_tv(2, 0.5) + 0.25 * shift_tv(8, 0.5))
    assert noise_tv(sizes, 2.0) == pytest.approx(0.75 * noise_tv(2, 2.0) + 0.25 * noise_tv(8, 2.0))


@pytest.mark.parametrize("t", [2, 8, 128])
@pytest.mark.parametrize("p, alpha", [(0.25, 0.02), (0.25, 0.05), (0.125, 0.01)])
def test_floors_solve_their_defining_equations(t, p, alpha):
    # two worlds 2·floor apart in w (h·s² either side in s²) differ by exactly 2α
    w = two_point_floor(t, p, alpha)
    assert p * shift_tv(t, 2 * w) == pytest.approx(2 * alpha, rel=1e-6)
    h = two_point_floor(t, p, alpha, "s2")
    assert p * noise_tv(t, (1 + h) / (1 - h)) == pytest.approx(2 * alpha, rel=1e-6)


def test_w_floor_follows_the_small_shift_expansion_and_the_default_problem():
    # ≈ √(2π) α / (p E χ_t) when δ√t is small; E χ_t → √t
    t, p, alpha = 4096, 0.25, 0.02
    approx = np.sqrt(2 * np.pi) * alpha / (p * np.sqrt(t))
    assert two_point_floor(t, p, alpha) == pytest.approx(approx, rel=0.01)
    f = pool_floors(0.05, {"light1": 2, "heavy": 128, "light2": 8}, 0.25, separation=2 ** 0.5)
    assert f["w"]["light2"] == pytest.approx(0.193, abs=0.001)
    assert f["w"]["best"] == f["w"]["heavy"] == pytest.approx(0.0465, abs=0.0005)
    assert f["s2"]["light2"] == pytest.approx(0.262, abs=0.001)
    assert f["p"]["best"] == pytest.approx(0.05, abs=1e-4)     # heavy tasks tell a from b
    assert f["p"]["light1"] > 0.08                             # two examples do not


def test_floor_is_infinite_once_the_budget_covers_half_a_component():
    assert two_point_floor(8, 0.1, 0.05) == np.inf
    assert two_point_floor(8, 0.1, 0.05, "s2") == np.inf
    assert np.isfinite(two_point_floor(8, 0.1, 0.049))
    assert two_point_floor(8, 0.25, 0.0) == 0.0


@pytest.mark.parametrize("kwargs, name", [
    (dict(t=0, p=0.25, alpha=0.05), "t"), (dict(t=8, p=0.0, alpha=0.05), "p"),
    (dict(t=8, p=0.25, alpha=0.6), "alpha"), (dict(t=8.5, p=0.25, alpha=0.05), "t"),
    (dict(t=8, p=0.25, alpha=0.05, estimate="q"), "estimate"),
    (dict(t=8, p=0.25, alpha=0.05, estimate="p"), "separation")])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValidationError, match=name):
        two_point_floor(**kwargs)


def test_share_floor_is_alpha_when_the_pool_separates_components():
    # TV_128(√2) = 1 to 1e-12: the mimicry floor is exactly α; two examples
    # separate them less (TV_2(√2) = 1/√3), so a larger share can move
    assert two_point_floor(128, 0.25, 0.03, "p", separation=2 ** 0.5) == pytest.approx(0.03)
    assert shift_tv(2, 2 ** 0.5) == pytest.approx(3 ** -0.5, abs=1e-6)
    assert two_point_floor(2, 0.25, 0.03, "p", separation=2 ** 0.5) == pytest.approx(
        0.03 * 3 ** 0.5, rel=1e-5)
    assert two_point_floor(2, 0.04, 0.03, "p", separation=2 ** 0.5) == pytest.approx(0.02)


@pytest.mark.parametrize("delta", [0.1, 0.5, 2.0, 8.0])
def test_shift_tv_of_two_example_tasks_has_a_closed_form(delta):
    # ‖Xu‖ is Rayleigh for t = 2, and E[erf(δR/(2√2))] = δ/√(δ² + 4)
    assert shift_tv(2, delta) == pytest.approx(delta / np.sqrt(delta ** 2 + 4), abs=1e-7)


@pytest.mark.parametrize("t, p, alpha", [(16, 0.125, 0.05), (8, 0.25, 0.05), (16, 0.125, 0.02)])
def test_best_quantile_estimate_attains_the_noise_floor(t, p, alpha):
    """Over the quantile level, the minimax-centred quantile estimate's worst
    error is the two-point floor itself; the median (clean-consistent) is
    above it by a few tens of per cent."""
    eps = alpha / p
    levels = np.linspace(eps + 1e-4, 1 - eps - 1e-4, 4001)
    best = min(quantile_noise_error(t, p, alpha, c, "minimax") for c in levels)
    floor = two_point_floor(t, p, alpha, "s2")
    assert best == pytest.approx(floor, rel=1e-4)
    median = quantile_noise_error(t, p, alpha)
    assert floor < median < 1.3 * floor
    assert quantile_noise_error(t, p, alpha, eps / 2) == np.inf


def test_median_bound_is_reached_by_swapping_the_lowest_ratios():
    """Monte Carlo: replacing the lowest ε = α/p of a component's χ²_t ratios
    by large ones moves the median by the stated worst error."""
    rng = np.random.default_rng(0)
    t, p, alpha = 16, 0.125, 0.05
    r = np.sort(rng.chisquare(t, 200_000))
    m = int(alpha / p * r.size)
    swapped = np.concatenate([r[m:], np.full(m, 1e6)])
    moved = np.median(swapped) / stats.chi2.median(t) - 1
    assert moved == pytest.approx(quantile_noise_error(t, p, alpha), abs=0.01)


def test_quantile_error_checks_its_centre():
    with pytest.raises(ValidationError, match="centre"):
        quantile_noise_error(16, 0.125, 0.05, centre="mean")
