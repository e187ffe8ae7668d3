"""Replay the slowest attacks of a results CSV, alternating with clean fits.

Each attack is replayed with the corruption draw of its run (grid: rng
[seed, 17, number]; search: [seed, number]) and timed against a clean fit
made just before it, ``--reps`` times, so a loaded machine slows both alike.

    PYTHONPATH=$PWD:research/redteam/redteam6 python3 research/redteam/redteam6/replay_time.py \\
        research/redteam/redteam6/results/default_default_fixed_a0.05_s0_n150.csv --top 4
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
    ap.add_argument("csv")
    ap.add_argument("--top", type=int, default=4)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    rows = [r for r in csv.DictReader(open(a.csv)) if r["phase"] != "clean"]
    rows.sort(key=lambda r: -float(r["time_ratio"]))
    first = rows[0]
    alpha, seed, sizes = float(first["alpha"]), int(first["seed"]), first["sizes"]
    theta, pools = build_problem(first["problem"], sizes, seed)
    warnings.simplefilter("ignore")

    def fit(p):
        t0 = time.perf_counter()
        try:
            MetaLearner.robust(theta.k, alpha, rng=seed).fit(p)
        except Exception as exc:  # noqa: BLE001 - reported
            return time.perf_counter() - t0, type(exc).__name__
        return time.perf_counter() - t0, ""

    clean = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
    settings = attack_settings(clean, alpha)
    for r in rows[:a.top]:
        strat = {p: tuple(v) for p, v in json.loads(r["strategy"]).items()}
        num = int(r["number"])
        rng = [seed, 17, num] if r["phase"] == "grid" else [seed, num]
        bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta, settings=settings,
                            rng=np.random.default_rng(rng))
        ratios = []
        for _ in range(a.reps):
            tc, _ = fit(pools)
            tb, exc = fit(bad)
            ratios.append(tb / tc)
        print(f"run ratio {r['time_ratio']:>5} replay {np.round(ratios, 2)} {exc} "
              f"{r['phase']} {r['target']} {num} {r['family']}", flush=True)


if __name__ == "__main__":
    main()
