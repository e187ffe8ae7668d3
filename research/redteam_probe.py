"""Single-attack probes of named Poolwise attacks on the default problem.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 python3 research/redteam_probe.py \\
        --alpha 0.05 --attack 'light1=candidate_overflow:n_directions=6,x_frac=0.5' \\
        --attack 'light2=median_push:component=0;heavy=median_push:component=0'

Each ``--attack`` is ``pool=family:key=value,...`` parts joined by ``;``.
Prints, per attack, the learner's errors (max||ŵ−w||/s, ŝ², p̂, subspace);
``--verbose`` adds p̂, ŝ²/s², the heavy noise cross-check and the fit's
evidence. The problem (``--sizes fixed|hetero``) and the learner are seeded
from ``--seed`` exactly as in redteam_default.py, the attack from
``--attack-seed``.
"""

from __future__ import annotations

import argparse
import ast
import time

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import Poolwise
from robust_mlr import metrics
from robust_mlr.adversary import corrupt_pools


def parse(spec):
    out = {}
    for part in spec.split(";"):
        pool, rest = part.split("=", 1)
        fam, _, kv = rest.partition(":")
        prm = {}
        for item in filter(None, kv.split(",")):
            key, val = item.split("=")
            try:
                prm[key] = ast.literal_eval(val)
            except (ValueError, SyntaxError):
                prm[key] = val
        out[pool.strip()] = (fam.strip(), prm)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--attack", action="append", default=[])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--attack-seed", type=int, default=1)
    ap.add_argument("--sizes", choices=("fixed", "hetero"), default="fixed")
    ap.add_argument("--verbose", action="store_true",
                    help="also print p̂, ŝ²/s², the heavy noise cross-check and the evidence")
    a = ap.parse_args(argv)
    theta, pools = make_problem(dict(PROBLEM, sizes=a.sizes), np.random.default_rng([a.seed, 11]))
    for spec in ["clean"] + a.attack:
        learner = MetaLearner.robust(theta.k, a.alpha, rng=a.seed)
        bad = pools
        if spec != "clean":
            bad = corrupt_pools(pools, Poolwise(**parse(spec)), a.alpha, theta=theta,
                                settings={"alpha": a.alpha, "clip": 2.0}, rng=a.attack_seed)
        t0 = time.perf_counter()
        learner.fit(bad)
        pe = metrics.parameter_errors(learner.W_, learner.s2_, learner.p_, theta)
        sub = metrics.subspace_error(learner.U_, theta)
        print(f"{spec}\n  w_err {pe['w_err']:.4f} s2_err {pe['s2_err']:.4f} "
              f"p_err {pe['p_err']:.4f} subspace {sub:.4f} ({time.perf_counter() - t0:.1f}s)",
              flush=True)
        if a.verbose:
            nc = learner.diagnostics_["regression"].get("noise_check", {})
            ratio = np.round(learner.s2_ / theta.s ** 2, 4)       # learner's component order
            print(f"  p_hat {np.round(learner.p_, 4)}\n  s2/s2 {ratio}"
                  f"\n  heavy centre {np.round(nc.get('heavy_centre', []), 4)} half "
                  f"{np.round(nc.get('heavy_half_width', []), 4)} (screened units) light "
                  f"{np.round(nc.get('s2_light', []), 4)} clipped {nc.get('clipped')}"
                  f"\n  evidence {learner.diagnostics_.get('evidence')}", flush=True)


if __name__ == "__main__":
    main()
