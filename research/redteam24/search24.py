"""Twenty-fourth red team: the built-in search (robust_mlr.adversary.red_team,
TPE) on the default problem, warm-started from the eighth red team's worst
rows of the same sizes law, one jsonl line per fit (strategy, W / ŝ² / p̂
errors, warned, time ratio).

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24 OMP_NUM_THREADS=1 \\
        python3 research/redteam24/search24.py --sizes hetero --seed 0 --budget 60 \\
        --out research/redteam24/logs/search_hetero_s0.jsonl [--families pooling]
"""
import argparse
import csv
import json
import time
import warnings

import numpy as np

import flip
import robust_mlr.adversary._space as S
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, red_team
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
from run import build_problem

CSV = {"hetero": "research/redteam/redteam8/final_main/a05_hetero_W/"
                 "default_default_hetero_a0.05_s0_n150.csv",
       "fixed": "research/redteam/redteam8/final_main/a05_fixed/"
                "default_default_fixed_a0.05_s0_n150.csv"}
POOLING = {"light1": ["edge_spike", "variance_hiding"],
           "heavy": ["seeded", "gate_seeded", "anchor_leak", "anchor_select", "variance_neutral",
                     "anchor_spread", "anchor_edge"],
           "light2": ["anchor_match", "gate_match"]}
#: --families flip: the pooling families plus this folder's (flip.SPACE_ADD)
FLIP = {"light1": ["edge_spike", "variance_hiding"],
        "heavy": ["seeded_leak", "seeded", "gate_seeded"],
        "light2": ["flip_gram", "anchor_match", "gate_match"]}
for pool, fams in flip.SPACE_ADD.items():
    S.SPACE[pool].update(fams)
#: the twenty-fourth red team's best row (g5 9), first of the warm start with --families flip
BEST = {"heavy": ("seeded_leak", {}),
        "light2": ("flip_gram", {"component": 2, "pick": "select", "frac": 0.9, "cap": 0.7,
                                 "push": 1.5, "scale": 0.97, "level": 0.95, "mode": "aligned"})}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="hetero")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=60)
    ap.add_argument("--families", default="pooling")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    theta, pools = build_problem("default", a.sizes, a.seed)
    log = []

    class Rec:
        def __init__(self):
            self.model = MetaLearner.robust(theta.k, 0.05, rng=a.seed)

        def fit(self, p):
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                try:
                    self.model.fit(p)
                finally:
                    log.append({"time": time.perf_counter() - t0,
                                "warned": any(issubclass(w.category, CorruptionWarning)
                                              for w in ws)})
            return self

        def __getattr__(self, n):
            return getattr(self.model, n)

    Rec().fit(pools)
    clean = Rec().fit(pools)
    tc = log[-1]["time"]
    e = parameter_errors(clean.W_, clean.s2_, clean.p_, theta)
    settings = attack_settings(clean.model, 0.05)
    rows = [r for r in csv.DictReader(open(CSV[a.sizes])) if r["phase"] != "clean"
            and r["w_err"] not in ("", "nan")]
    rows.sort(key=lambda r: -float(r["w_err"]))
    init = [{p: tuple(v) for p, v in json.loads(r["strategy"]).items()} for r in rows[:5]]
    if a.families == "flip":
        best = {p: (f, dict(prm)) for p, (f, prm) in BEST.items()}
        # the component with the fewest heavy tasks on this seed (2 on seed 0)
        best["light2"][1]["component"] = int(np.argmin(np.bincount(pools.heavy.components,
                                                                   minlength=theta.k)))
        init = [best] + init[:3]
    fh = open(a.out, "a")
    fh.write(json.dumps({"phase": "clean", "sizes": a.sizes, "seed": a.seed, "w_err": float(e["w_err"]),
                         "s2_err": float(e["s2_err"]), "p_err": float(e["p_err"]), "time": tc}) + "\n")
    print("clean", float(e["w_err"]), flush=True)
    start = len(log)

    def report(rec):
        r = log[start + rec.number + 1]
        line = {"phase": f"search:{rec.source}", "sizes": a.sizes, "seed": a.seed,
                "number": rec.number, "status": rec.status,
                "w_err": rec.metrics.get("w_err") if rec.status == "ok" else None,
                "s2_err": rec.metrics.get("s2_err") if rec.status == "ok" else None,
                "p_err": rec.metrics.get("p_err") if rec.status == "ok" else None,
                "warned": r["warned"], "time_ratio": r["time"] / tc,
                "strategy": json.loads(json.dumps(rec.strategy, default=str)),
                "replay_key": [a.seed, rec.number]}
        fh.write(json.dumps(line) + "\n")
        fh.flush()
        print(rec.number, rec.source, line["w_err"], r["warned"], flush=True)

    fams = {"pooling": POOLING, "flip": FLIP}.get(a.families)
    red_team(lambda: Rec(), (theta, pools), 0.05, target="W", budget=a.budget, seed=a.seed,
             warm_start=False, on_crash="ignore", callback=report, settings=settings,
             init_strategies=init, families=fams)


if __name__ == "__main__":
    main()
