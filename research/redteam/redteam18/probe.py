"""One strategy on one problem, with the per-component error along the
attack's direction and the learner's light-2 readings.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/probe.py \
        --problem small --seed 0 --alpha 0.05 '{"light2": ["edge_lever", {}]}'
"""
import argparse
import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import attacked, fit, problem, settings_of  # noqa: E402
import edge_lever  # noqa: E402,F401
from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary._craft import fixed_direction  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strategy")
    ap.add_argument("--problem", default="small")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--draw", type=int, default=0)
    ap.add_argument("--reps", type=int, default=1)
    a = ap.parse_args()
    theta, pools = problem(a.problem, a.seed)
    clean = [fit(theta, pools, a.alpha, a.seed) for _ in range(a.reps)]
    tc = min(c["time"] for c in clean)
    print(f"p {np.round(theta.p, 3)} clean w {clean[0]['w']:.3f} ({tc:.2f}s) "
          f"reg {json.dumps(clean[0]['reg'])}", flush=True)
    sett = settings_of(theta, pools, a.alpha, a.seed)
    strat = json.loads(a.strategy)
    bad = attacked(theta, pools, sett, strat, a.alpha, [a.seed, a.draw, 18])
    res = [fit(theta, bad, a.alpha, a.seed) for _ in range(a.reps)]
    r = res[0]
    if "raised" in r:
        print("RAISED", r["raised"])
        return
    print(f"attacked w {r['w']:.3f} s2 {r['s2']:.3f} p {r['p']:.3f} warned {r['warned']} "
          f"time x{min(x['time'] for x in res) / tc:.2f}")
    print("  warnings", r["warnings"])
    print("  reg", json.dumps(r["reg"]))


if __name__ == "__main__":
    main()
