"""Time ratio of attacked over clean fits, measured by alternating them
(process_time, `reps` each, after a warm-up) — the drivers' single
perf_counter ratios move with the shared machine's load.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26 \\
        OMP_NUM_THREADS=1 python3 research/redteam26/timing.py
"""
import json
import sys
import time
import warnings

import numpy as np

import b26
import dirgram  # noqa: F401
import flip  # noqa: F401
import rt26
from robust_mlr import MetaLearner
from robust_mlr.adversary import Poolwise, attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.generator import covariate_moment

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, law_problem  # noqa: E402


def timed(make, P, reps=3):
    out = []
    for _ in range(reps):
        t0 = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make().fit(P)
        out.append(time.process_time() - t0)
    return out


def alternate(label, make, clean, bad, reps=3):
    timed(make, clean, 1)
    tc, ta = [], []
    for _ in range(reps):
        tc += timed(make, clean, 1)
        ta += timed(make, bad, 1)
    print(f"{label}: clean {np.round(tc, 2).tolist()} attacked {np.round(ta, 2).tolist()} "
          f"median ratio {np.median(ta) / np.median(tc):.2f}", flush=True)


def case_b(law, alpha, seed, p, index):
    d, k = FULL["d"], FULL["k"]
    S = covariate_moment(law, d)
    vals, Q = np.linalg.eigh(S)
    b26.LAW["half"] = (Q * np.sqrt(vals)) @ Q.T
    b26.LAW["ihalf"] = (Q / np.sqrt(vals)) @ Q.T
    theta, pools, _ = law_problem(law, d, k, FULL["sizes"], seed)
    atk = ("white_tilt", p)
    bad = corrupt_pools(pools, Poolwise(light1=atk, heavy=atk, light2=atk), alpha, theta=theta,
                        rng=np.random.default_rng([seed, 26, index]))
    alternate(f"B {law} a{alpha} s{seed} {p} #{index}",
              lambda: MetaLearner.robust(k, alpha, rng=seed), pools, bad)


def case_a(seed, rows_file, index):
    theta, pools = rt26.build_problem("default", "hetero", seed)
    _, _, clean = rt26.fit(theta, 0.05, seed, pools)
    rt26.whitebox(clean, theta)
    r = json.load(open(rows_file))[index]
    strat = {q: tuple(v) for q, v in r["strategy"].items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta,
                        settings=attack_settings(clean, 0.05),
                        rng=np.random.default_rng(r.get("key", [seed, 26, index])))
    alternate(f"A seed {seed} {rows_file}#{index}", lambda: MetaLearner.robust(4, 0.05, rng=seed),
              pools, bad)


if __name__ == "__main__":
    case_b("gaussian", 0.05, 1, dict(frac=0.5, rho=1.3, direction="inW"), 6)
    case_b("gaussian", 0.1, 1, dict(frac=0.5, rho=1.3, direction="inW"), 6)
    case_a(2, "research/redteam26/rows_combo2.json", 8)
