"""Time the slowest rows of red-team CSVs of the small-heavy problem
against clean fits made just before each replay (``--reps`` pairs), so a
loaded machine slows both alike; the robust moment estimator's learner.

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam7/replay_time.py CSV [CSV ...] --top 3
"""
import argparse
import csv
import json
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack

from run import build_problem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--reps", type=int, default=2)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    for f in a.csv:
        rows = [r for r in csv.DictReader(open(f)) if r["phase"] != "clean"]
        rows.sort(key=lambda r: -float(r["time_ratio"]))
        alpha, seed = float(rows[0]["alpha"]), int(rows[0]["seed"])
        theta, pools = build_problem("smallheavy", "fixed", seed)
        make = lambda: MetaLearner.robust(theta.k, alpha, rng=seed,  # noqa: E731
                                          clustering="moments_robust")

        def fit(p):
            t0 = time.perf_counter()
            try:
                make().fit(p)
            except Exception as exc:  # noqa: BLE001 - reported
                return time.perf_counter() - t0, type(exc).__name__
            return time.perf_counter() - t0, ""

        settings = attack_settings(make().fit(pools), alpha)
        for r in rows[:a.top]:
            strat = {p: tuple(v) for p, v in json.loads(r["strategy"]).items()}
            num = int(r["number"])
            key = [seed, 17, num] if r["phase"] == "grid" else [seed, num]
            bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                                settings=settings, rng=np.random.default_rng(key))
            ratios = []
            for _ in range(a.reps):
                tc, _ = fit(pools)
                tb, exc = fit(bad)
                ratios.append(tb / tc)
            print(f"{f.split('/')[-1]} run ratio {r['time_ratio']:>5} replay "
                  f"{np.round(ratios, 2)} {exc} {r['phase']} {num} {r['family']}", flush=True)


if __name__ == "__main__":
    main()
