"""The ICML Figure 3 study's slope and its bootstrap interval (known answers)."""

import numpy as np

from experiments.icml_fig3 import bootstrap_slope, heavy_count, summary, t_min_table

T_GRID = (4, 8, 16, 32, 64)


def _rows(success):
    """Result rows from ``success(k, t, replicate) -> 0/1``, 10 trials a cell."""
    return [{"k": k, "t_H": t, "status": "ok", "success": float(success(k, t, r))}
            for k in (4, 16, 64) for t in T_GRID for r in range(10)]


def test_deterministic_sqrt_k_gives_exact_slope_and_zero_width_interval():
    # t_min = 4·√k exactly (8, 16, 32): every bootstrap replicate sees the same table.
    rows = _rows(lambda k, t, r: t >= 4 * np.sqrt(k))
    assert t_min_table(rows) == {4: (8, 8), 16: (16, 16), 64: (32, 32)}
    for level in (0.5, 0.9):
        b, lo, hi = bootstrap_slope(rows, level, n_boot=200, rng=0)
        assert np.isclose(b, 0.5) and np.isclose(lo, 0.5) and np.isclose(hi, 0.5)


def test_interval_widens_with_a_borderline_cell_and_contains_the_slope():
    # At k = 64 the cell t = 16 succeeds in 5 of 10 trials: t_min(0.5) is 16 on
    # the data (t_min 8, 16, 16: least-squares slope 0.25) but 32 in the
    # bootstrap replicates that draw fewer than 5 successes (slope 0.5, with
    # probability Pr[Bin(10, ½) < 5] = 0.38, so inside the 90 % interval).
    def success(k, t, r):
        if k == 64 and t == 16:
            return r < 5
        return t >= 4 * np.sqrt(k)
    b, lo, hi = bootstrap_slope(_rows(success), 0.5, n_boot=2000, rng=1)
    assert np.isclose(b, 0.25)
    assert np.isclose(lo, 0.25) and np.isclose(hi, 0.5)
    # Ill-posed: no k reaches the level -> NaN, no exception.
    b, lo, hi = bootstrap_slope(_rows(lambda k, t, r: 0), 0.5, n_boot=50, rng=0)
    assert np.isnan(b) and np.isnan(lo) and np.isnan(hi)


def test_heavy_count_grows_like_k_to_three_halves():
    assert [heavy_count(k) for k in (4, 8, 16, 32)] == [64, 182, 512, 1449]


def test_a_grid_too_coarse_for_the_slope_says_so():
    """The --quick grid (k 4, 8; t_H 64, 128, 192): one t_H step moves the
    slope by 1, so it printed 'slope 0.00, bootstrap 90% [0.00, 0.00]'."""
    rows = [{"k": k, "t_H": t, "status": "ok", "success": float(t >= 128)}
            for k in (4, 8) for t in (64, 128, 192) for _ in range(2)]
    text = summary(rows)
    assert text.splitlines()[-1].startswith("log-log slopes of t_min vs k: not measured: one "
                                            "t_H step of this grid moves them by 1.00")
    assert "0.00" not in text
    fine = summary(_rows(lambda k, t, r: t >= 4 * np.sqrt(k)))        # steps ×2 over k ×16
    assert "log-log slope of t_min(0.5) vs k: 0.50" in fine
