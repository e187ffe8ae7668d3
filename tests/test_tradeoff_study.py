"""The t_H–n_H trade-off study: its quick path and its statistics helpers."""

import math

import numpy as np

from experiments.tH_nH_tradeoff import (EXPERIMENT, bootstrap_interval, crossing, required_n,
                                        slope_interval)
from robust_mlr.engine import run_sweep
from robust_mlr.engine.storage import read_results


def test_quick_path_writes_the_expected_columns(tmp_path):
    exp = EXPERIMENT.with_grid([dict(k=4, t_H=4, mode="search", n_max=316,
                                     methods=["em", "moments", "oracle"]),
                                dict(k=4, t_H=2, mode="search", n_max=316,
                                     methods=["moments", "oracle"])], replicates=1)
    rows = read_results(run_sweep(exp, tmp_path, workers=1, progress=False, quiet=True))
    assert [r["status"] for r in rows] == ["ok", "ok"]
    cols = set(rows[0])
    for m in ("em", "moments", "oracle"):
        assert {f"nstar_{m}", f"censor_{m}", f"time_{m}", f"curve_{m}"} <= cols
    four, two = rows
    assert 100 <= four["nstar_oracle"] <= 316 or four["censor_oracle"] == "below"
    assert two["censor_moments"] == "cannot run: needs t_H >= 3"
    assert two.get("nstar_moments") in (None, "")


def test_bootstrap_interval_of_two_values():
    # resampled means of {0, 1} are 0, 1/2, 1 with chances 1/4, 1/2, 1/4:
    # the 5 % and 95 % quantiles are 0 and 1
    assert bootstrap_interval([0.0, 1.0], stat=np.mean, n_boot=4000) == (0.5, 0.0, 1.0)
    # narrower coverage than 1/2 excludes the ends
    assert bootstrap_interval([0.0, 1.0], stat=np.mean, level=0.4, n_boot=4000)[1:] == (0.5, 0.5)


def test_bootstrap_interval_with_a_censored_seed():
    # one seed of five never passes (inf): the resampled median is inf when at
    # least 3 draws of 5 are that seed, chance 0.058 > 0.05, so the 90 %
    # interval is open above while the median itself is finite (and by the
    # same count its lower end is the smallest seed)
    assert bootstrap_interval([100.0, 200.0, 300.0, 400.0, math.inf], n_boot=20000) == \
        (300.0, 100.0, math.inf)
    assert bootstrap_interval([100.0, 200.0, 300.0, 400.0, 500.0], n_boot=20000) == \
        (300.0, 100.0, 500.0)


def test_crossing_interpolates_on_log_axes():
    n, censor = crossing({100: 0.8, 1000: 0.05})        # log err linear in log n
    assert censor == "" and math.isclose(n, 100 * 10 ** 0.5, rel_tol=1e-12)
    assert crossing({100: 0.1, 316: 0.05}) == (100.0, "below")
    assert crossing({100: 0.9, 316: math.inf}) == (math.inf, "above")
    # the largest failing size below the first passing one brackets it
    n, _ = crossing({100: 0.9, 316: 0.4, 1000: 0.1})
    assert 316 < n < 1000


def test_required_n_and_slope_of_an_exact_power_law():
    rows = [dict(status="ok", k=8, t_H=t, nstar_em=5e5 * t ** -2.0 * (1 + 0.01 * s))
            for t in (2, 4, 8, 16) for s in range(5)]
    cell = required_n(rows, "em", 8, 4)
    assert math.isclose(cell["n"], 5e5 / 16 * 1.02) and cell["seeds"] == 5
    assert cell["lo"] <= cell["n"] <= cell["hi"] and not cell["below"]
    slope, lo, hi, ts = slope_interval(rows, "em", 8)
    assert ts == [2, 4, 8, 16]
    assert math.isclose(slope, -2.0, abs_tol=1e-9)
    assert -2.01 < lo <= slope <= hi < -1.99
    assert required_n(rows, "kmeans", 8, 4) is None
