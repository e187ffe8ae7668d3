"""Time strategies on the small-heavy problem against clean fits made just
before each attacked fit (``--reps`` pairs, so a loaded machine slows both
alike); prints per pair the clean and attacked times, their ratio, the
error and whether a CorruptionWarning was raised.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam8/replay_pairs.py --seed 1 --alpha 0.05 \\
        'search:1:JSON' ['grid:3:JSON' ...]
"""
import argparse
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strategy", nargs="+", help="phase:number:JSON")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=2)
    a = ap.parse_args()
    theta, pools = build_problem("smallheavy", "fixed", a.seed)

    def fit(p):
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = MetaLearner.robust(theta.k, a.alpha, rng=a.seed,
                                   clustering="moments_robust").fit(p)
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        return m, time.perf_counter() - t0, warned

    clean, _, _ = fit(pools)
    settings = attack_settings(clean, a.alpha)
    for s in a.strategy:
        ph, n, js = s.split(":", 2)
        strat = {p: tuple(v) for p, v in json.loads(js).items()}
        key = [a.seed, 17, int(n)] if ph.startswith("grid") else [a.seed, int(n)]
        bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng(key))
        print(f"{ph} {n}", js, flush=True)
        for _ in range(a.reps):
            _, tc, _ = fit(pools)
            m, ta, warned = fit(bad)
            w = float(parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"])
            print(f"    clean {tc:.1f} s, attacked {ta:.1f} s, ratio {ta / tc:.2f}, "
                  f"w {w:.3f}, warned {warned}", flush=True)


if __name__ == "__main__":
    main()
