"""What the light pool's pull buys and costs: clean errors and the eighth
red team's worst rows, replayed, for several values of ``pull``.

    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 \\
        python3 research/pull/tradeoff.py --out research/pull/tradeoff.csv

Each row: pull, the case (clean seed / replayed strategy), sizes, α, the
worst component's error max‖ŵ − w‖/s, ŝ² and p̂ errors, whether a
CorruptionWarning was raised. Clean fits: problem seeds 0–4 (fixed and
heterogeneous sizes, α = 0.05 and 0.02). Replays: corruption draw 0 of
the worst strategies of the eighth red team's full search on this release
(rows in research/redteam/redteam8/final_release/).
"""
import argparse
import csv
import json
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression

from run import build_problem

_GATE = {"mode": "aligned", "level": 0.95, "select": True, "cap": 1.0, "amp": 1.0,
         "inflate": 0.0, "ambiguity": 1.0}
_LEAK = ["seeded", {"family": ["anchor_leak", {"component": 2, "decoys": 0}], "seed": 0}]
WORST = [
    ("fixed", 0.05, {"light1": ["none", {}],
                     "heavy": ["gate_seeded", {"heavy_family": "anchor_leak", "light": "clean"}],
                     "light2": ["gate_match", dict(_GATE, heavy_family="anchor_leak",
                                                   light="clean")]}),
    ("fixed", 0.02, {"light1": ["none", {}],
                     "heavy": ["gate_seeded", {"heavy_family": "variance_neutral",
                                               "light": "clean"}],
                     "light2": ["gate_match", dict(_GATE, heavy_family="variance_neutral",
                                                   light="clean")]}),
    ("hetero", 0.05, {"light1": ["none", {}], "heavy": _LEAK,
                      "light2": ["anchor_match", {"component": 2, "heavy": _LEAK,
                                                  "mode": "aligned", "level": 0.95,
                                                  "select": True}]}),
]


def fit(pools, theta, alpha, pull, seed=0):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed,
                               regression=FilterRegression(pull=pull)).fit(pools)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    return m, dict(w=e["w_err"], s2=e["s2_err"], p=e["p_err"],
                   warned=int(any(issubclass(w.category, CorruptionWarning) for w in ws)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pulls", default="1,0.75,0.5,0.25,0")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    pulls = [float(x) for x in a.pulls.split(",")]
    rows = []
    for sizes in ("fixed", "hetero"):
        for alpha in (0.05, 0.02):
            for seed in [int(s) for s in a.seeds.split(",")]:
                theta, pools = build_problem("default", sizes, seed)
                for pull in pulls:
                    _, r = fit(pools, theta, alpha, pull, seed)
                    rows.append(dict(pull=pull, case=f"clean seed {seed}", sizes=sizes,
                                     alpha=alpha, **r))
                    print(rows[-1], flush=True)
    for sizes, alpha, strat in WORST:
        theta, pools = build_problem("default", sizes, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clean = MetaLearner.robust(theta.k, alpha, rng=0).fit(pools)
        settings = attack_settings(clean, alpha)
        att = strategy_attack({p: tuple(v) for p, v in strat.items()})
        bad = corrupt_pools(pools, att, alpha, theta=theta, settings=settings,
                            rng=np.random.default_rng([0, 17, 0]))
        for pull in pulls:
            m, r = fit(bad, theta, alpha, pull)
            anc = m.diagnostics_["regression"].get("anchor", {})
            heavy = max(np.linalg.norm(anc["W_heavy"][:, :, None] - theta.W[:, None, :],
                                       axis=0).min(axis=1) / theta.s)
            rows.append(dict(pull=pull, case="replay " + json.dumps(strat), sizes=sizes,
                             alpha=alpha, heavy=heavy, **r))
            print({k: v for k, v in rows[-1].items() if k != "case"}, flush=True)
    with open(a.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["pull", "sizes", "alpha", "case", "w", "s2", "p",
                                           "warned", "heavy"])
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
