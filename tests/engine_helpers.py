"""Module-level experiments for the engine tests (importable by workers)."""
import os
import time

from robust_mlr.engine import Experiment


def noisy_mean(point, rng):
    x = rng.standard_normal(200) + point["mu"]
    if point.get("fail") and rng.random() < 2:
        raise ValueError("planned failure")
    return {"mean": float(x.mean()), "first": float(x[0])}


def slow(point, rng):
    time.sleep(point["sleep"])
    return {"value": float(rng.random())}


FAST = Experiment(name="fast", func=noisy_mean, grid={"mu": [0.0, 1.0, 2.0]},
                  metrics=("mean", "first"), replicates=3, quick_replicates=1,
                  quick_grid={"mu": [0.0]})
FAILING = Experiment(name="failing", func=noisy_mean,
                     grid=[{"mu": 0.0, "fail": False}, {"mu": 1.0, "fail": True}],
                     metrics=("mean", "first"), replicates=2)
SLOW = Experiment(name="slow", func=slow, grid={"sleep": [0.15], "i": list(range(20))},
                  metrics=("value",), replicates=1)


def gated(point, rng):
    """Wait (at most 120 s) until the file ``point["gate"]`` exists."""
    deadline = time.time() + 120
    while not os.path.exists(point["gate"]) and time.time() < deadline:
        time.sleep(0.02)
    return {"value": float(rng.random())}


GATED = Experiment(name="gated", func=gated, grid={"gate": ["unset"], "i": [0, 1, 2]},
                   metrics=("value",), replicates=1)


def stubborn(point, rng):
    """Sleep ``point["sleep"]`` s, ignoring Ctrl-C (a trial stuck in code that
    swallows KeyboardInterrupt): only a second Ctrl-C can end the run. Touches
    the file ``point["started"]`` first."""
    open(point["started"], "w").close()
    deadline = time.time() + point["sleep"]
    while time.time() < deadline:
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:
            pass
    return {"value": float(rng.random())}


STUBBORN = Experiment(name="stubborn", func=stubborn, grid={"sleep": [0.3], "started": ["unset"]},
                      metrics=("value",), replicates=1)


def _broken_summary(rows):
    return rows[0]["no_such_column"]


def _broken_plot(rows, out):
    raise ValueError("cannot draw")


BROKEN = Experiment(name="broken", func=noisy_mean, grid={"mu": [0.0]}, metrics=("mean", "first"),
                    replicates=1, summary=_broken_summary, plot=_broken_plot)


def warns(point, rng):
    import warnings
    warnings.warn(f"planned warning {point['i']}", UserWarning)
    return {"value": float(rng.random())}


WARNS = Experiment(name="warns", func=warns, grid={"i": [0, 1]}, metrics=("value",),
                   replicates=1)


def warns_alike(point, rng):
    """The same warning with other numbers in every trial; another in one."""
    import warnings
    i = point["i"]
    warnings.warn(f"the heavy clusters have sizes [{i}, {10 - i}]: one is small", UserWarning)
    if i == 2:
        warnings.warn("the light tasks are too few", UserWarning)
    return {"value": float(rng.random())}


WARNS_ALIKE = Experiment(name="warns_alike", func=warns_alike, grid={"i": [0, 1, 2, 3, 4, 5]},
                         metrics=("value",), replicates=1)
