"""Replay chosen rows of red-team results CSVs, each attacked fit timed
against a clean fit made just before it (alternation: a loaded machine slows
both alike), and optionally save every fit's estimates to compare releases.

Each pair's ratio is given by wall-clock time and by process CPU time
(single-threaded BLAS: the CPU time is what the fit itself used, less moved
by other load on a shared machine). A row is named ``CSV:phase:target:number`` (e.g.
``research/redteam/redteam8/final/default_default_fixed_a0.05_s0_n150.csv:search:search:W:27``).
The corruption draw is the run's (grid: rng [seed, 17, number]; search:
[seed, number]), as in ``research/redteam/redteam6/replay_time.py``.

    PYTHONPATH=$PWD:research/redteam/redteam6 OMP_NUM_THREADS=1 \\
        python3 research/slowfit/replay_rows.py ROW [ROW ...] --reps 2 --save out.npz
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


def find_row(spec):
    path, rest = spec.split(".csv:", 1)
    phase_target_number = rest.rsplit(":", 2)
    phase, target, number = phase_target_number
    for r in csv.DictReader(open(path + ".csv")):
        if r["phase"] == phase and r["target"] == target and r["number"] == number:
            return r
    raise SystemExit(f"no row {spec}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", nargs="*")
    ap.add_argument("--top", nargs=2, action="append", default=[], metavar=("CSV", "N"),
                    help="also the N slowest attacked rows of CSV")
    ap.add_argument("--reps", type=int, default=2,
                    help="timed pairs per row; 0: one untimed attacked fit (for --save)")
    ap.add_argument("--save", default=None, help="npz of every fit's W, s2, p, labels")
    a = ap.parse_args()
    for path, n in a.top:
        ranked = sorted((r for r in csv.DictReader(open(path)) if r["phase"] != "clean"),
                        key=lambda r: -float(r["time_ratio"]))
        a.rows += [f"{path}:{r['phase']}:{r['target']}:{r['number']}" for r in ranked[:int(n)]]
    a.rows = list(dict.fromkeys(a.rows))
    rows = [find_row(s) for s in a.rows]
    first = rows[0]
    alpha, seed, sizes = float(first["alpha"]), int(first["seed"]), first["sizes"]
    theta, pools = build_problem(first["problem"], sizes, seed)
    warnings.simplefilter("ignore")
    saved = {}

    def fit(p, key):
        t0, c0 = time.perf_counter(), time.process_time()
        m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(p)
        t = (time.perf_counter() - t0, time.process_time() - c0)
        for name in ("W_", "s2_", "p_", "light_labels_", "heavy_labels_"):
            saved[f"{key}/{name}"] = getattr(m, name)
        solver = m.diagnostics_["clustering"].get("solver") or {}
        saved[f"{key}/steps"] = np.array(solver.get("inner_iterations", -1))
        return t, m

    _, clean = fit(pools, "clean")
    settings = attack_settings(clean, alpha)
    for spec, r in zip(a.rows, rows):
        assert (float(r["alpha"]), int(r["seed"]), r["sizes"]) == (alpha, seed, sizes)
        strat = {p: tuple(v) for p, v in json.loads(r["strategy"]).items()}
        num = int(r["number"])
        rng = [seed, 17, num] if r["phase"] == "grid" else [seed, num]
        bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta, settings=settings,
                            rng=np.random.default_rng(rng))
        if a.reps == 0:
            fit(bad, spec)
            print(f"fitted {r['phase']} {r['target']} {num} {r['family']}", flush=True)
            continue
        wall, cpu, times = [], [], []
        for _ in range(a.reps):
            tc, _ = fit(pools, "clean")
            tb, m = fit(bad, spec)
            wall.append(tb[0] / tc[0])
            cpu.append(tb[1] / tc[1])
            times.append((round(tc[0], 2), round(tb[0], 2)))
        rc = m.diagnostics_["classification"].get("reclassified")
        print(f"run ratio {r['time_ratio']:>5} wall {np.round(wall, 2)} median "
              f"{np.median(wall):.2f} cpu {np.round(cpu, 2)} median {np.median(cpu):.2f} "
              f"wall times {times} second pass {'yes' if rc else 'no'}  {r['phase']} "
              f"{r['target']} {num} {r['family']}", flush=True)
    if a.save:
        np.savez(a.save, **saved)


if __name__ == "__main__":
    main()
