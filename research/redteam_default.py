"""Red-team measurement on the default problem: the worst case the search
finds against a learner, next to the best catalogue attack and clean data.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 \\
        python3 research/redteam_default.py --learner robust --alpha 0.05 \\
        --budget 150 --seed 0 --out redteam_results

Prints one line per trial (error, family per pool) and a final summary: clean
and worst values of every error (max over the history, and for the target
the worst trial's attack), the best catalogue attack, crashes, wall time.
The full history is written as JSON to ``--out``. ``--sizes hetero`` draws
light-task sizes from 2 to 64 by the truncated Pareto law of the ``adaptive``
study. The problem and the learner are seeded from ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from experiments.adaptive import PROBLEM, QUICK, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import red_team

KEYS = ("w_err", "s2_err", "p_err", "subspace_err", "cluster_acc", "mse_bayes")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--learner", choices=("robust", "icml"), default="robust")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--budget", type=int, default=150)
    ap.add_argument("--target", default="W")
    ap.add_argument("--sizes", choices=("fixed", "hetero"), default="fixed")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--on-crash", choices=("max", "ignore"), default="ignore")
    ap.add_argument("--families", default=None,
                    help="restrict the search, e.g. 'heavy=component_mimic;light2=component_mimic,"
                         "variance_inflation' (pools not named stay clean)")
    ap.add_argument("--no-warm-start", action="store_true", help="skip the catalogue replay")
    ap.add_argument("--quick", action="store_true", help="tiny problem (smoke test)")
    ap.add_argument("--out", default="redteam_results")
    a = ap.parse_args(argv)

    point = dict(QUICK if a.quick else PROBLEM, sizes=a.sizes)
    theta, pools = make_problem(point, np.random.default_rng([a.seed, 11]))
    k = theta.k
    learner = (MetaLearner.robust(k, a.alpha, rng=a.seed) if a.learner == "robust"
               else MetaLearner(k, rng=a.seed))
    t0 = time.perf_counter()

    def report(rec):
        fams = {p: f for p, (f, _) in rec.strategy.items() if f != "none"}
        print(f"[{time.perf_counter() - t0:7.0f}s] trial {rec.number:3d} {rec.source:9s} "
              f"{rec.error:9.4f} {rec.status:5s} {fams} {rec.message[:60]}", flush=True)

    families = None
    if a.families:
        families = {p: tuple(f.split(",")) for p, f in
                    (part.split("=") for part in a.families.split(";"))}
    res = red_team(learner, (theta, pools), a.alpha, target=a.target, budget=a.budget,
                   seed=a.seed, on_crash=a.on_crash, families=families,
                   warm_start=not a.no_warm_start, callback=report)
    wall = time.perf_counter() - t0
    ok = [r for r in res.history if r.status == "ok"]
    cat = [r for r in ok if r.source == "catalogue"]
    tag = f"{a.learner}_a{a.alpha}_{a.sizes}_{a.target}_b{a.budget}_s{a.seed}" + \
        ("_restricted" if families else "")
    print(f"\n== {tag}: {len(res.history)} attacked fits + 1 clean fit in {wall:.0f} s; "
          f"{res.n_crashes} crashed")
    print(f"{'metric':>13} {'clean':>9} {'catalogue':>10} {'red team':>9}")
    for m in KEYS:
        pick = min if m == "cluster_acc" else max
        print(f"{m:>13} {res.clean_metrics[m]:9.4f} "
              f"{pick(r.metrics[m] for r in cat) if cat else float('nan'):10.4f} "
              f"{pick(r.metrics[m] for r in ok):9.4f}")
    w = res.worst_finite
    print(f"worst {a.target} trial #{w.number}: {w.error:.4f}; metrics "
          f"{ {m: round(w.metrics[m], 4) for m in KEYS} }\n  attack {w.strategy}")
    crashes = sorted({r.message for r in res.history if r.status == "crash"})
    for msg in crashes[:5]:
        print("  crash:", msg)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rec = {"args": vars(a), "wall": wall, "clean": res.clean_metrics,
           "history": [dict(number=r.number, strategy=r.strategy, metrics=r.metrics,
                            error=r.error, status=r.status, message=r.message, source=r.source)
                       for r in res.history]}
    (out / f"{tag}.json").write_text(json.dumps(rec, default=str, indent=1))
    return res


if __name__ == "__main__":
    main()
