"""Replay the worst rows of red-team result CSVs on the current code.

Each row is replayed with the corruption draw of its run (grid: rng
[seed, 17, number]; search: [seed, number]), the learner the CSV names
(``MetaLearner.robust(k, α)`` with its clustering) and its problem; printed:
the row's recorded error and the replay's (W, ŝ², p̂), whether a
CorruptionWarning was raised, any exception, and the time over a clean fit.

    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 \\
        python3 research/example_clip/replay_rows.py CSV [CSV ...] --top 5 --by w_err
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
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem


def learner(theta, row):
    opts = {} if row["clustering"] == "default" else {"clustering": row["clustering"]}
    return MetaLearner.robust(theta.k, float(row["alpha"]), rng=int(row["seed"]), **opts)


def fit(theta, row, pools):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = learner(theta, row).fit(pools)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            return None, f"{type(exc).__name__}: {str(exc)[:80]}", time.perf_counter() - t0
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    return (float(e["w_err"]), float(e["s2_err"]), float(e["p_err"]), warned), "", \
        time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--by", default="w_err")
    a = ap.parse_args()
    for path in a.csv:
        rows = [r for r in csv.DictReader(open(path))
                if r["phase"] != "clean" and r[a.by] not in ("", "nan")]
        rows.sort(key=lambda r: -float(r[a.by]))
        first = rows[0]
        theta, pools = build_problem(first["problem"], first["sizes"], int(first["seed"]))
        (cw, cs, cp, _), _, tc = fit(theta, first, pools)
        print(f"{path}\n  clean w {cw:.3f} s2 {cs:.3f} p {cp:.3f} time {tc:.2f}s", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clean = learner(theta, first).fit(pools)
        settings = attack_settings(clean, float(first["alpha"]))
        for r in rows[:a.top]:
            strat = {p: tuple(v) for p, v in json.loads(r["strategy"]).items()}
            num, seed = int(r["number"]), int(r["seed"])
            key = [seed, 17, num] if r["phase"] == "grid" else [seed, num]
            bad = corrupt_pools(pools, strategy_attack(strat), float(r["alpha"]), theta=theta,
                                settings=settings, rng=np.random.default_rng(key))
            res, exc, tb = fit(theta, r, bad)
            was = f"was {a.by} {float(r[a.by]):.3f} (warned {r['warned']})"
            if res is None:
                print(f"  {r['phase']} {num} {r['family']}: {was}; now RAISED {exc}", flush=True)
                continue
            w, s, p, warned = res
            print(f"  {r['phase']} {num} {r['family']}: {was}; now w {w:.3f} s2 {s:.3f} "
                  f"p {p:.3f} warned {int(warned)} time x{tb / tc:.2f}", flush=True)


if __name__ == "__main__":
    main()
