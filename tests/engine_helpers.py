"""Module-level experiments for the engine tests (importable by workers)."""
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
