"""The eighth red team's worst light-sizes 2-64 rows (alpha 0.05), replayed
as research/example_clip/replay_rows.py does, with the anchor's per component
pull, predicted MSE ratio, statistic, and the heavy / light / final errors.

    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 \\
        python3 research/pull18/inspect_replay.py [CSV] [--top 5]
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

from run import build_problem

CSV = ("research/redteam/redteam8/final_main/a05_hetero_W/"
       "default_default_hetero_a0.05_s0_n150.csv")


def per_comp(W, theta):
    return [float(np.linalg.norm(W[:, [c]] - theta.W, axis=0).min() / theta.s[0])
            for c in range(W.shape[1])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="?", default=CSV)
    ap.add_argument("--top", type=int, default=5)
    a = ap.parse_args()
    rows = [r for r in csv.DictReader(open(a.csv)) if r["phase"] != "clean"
            and r["w_err"] not in ("", "nan")]
    rows.sort(key=lambda r: -float(r["w_err"]))
    first = rows[0]
    alpha, seed = float(first["alpha"]), int(first["seed"])
    theta, pools = build_problem(first["problem"], first["sizes"], seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
    settings = attack_settings(clean, alpha)
    for r in rows[:a.top]:
        strat = {p: tuple(v) for p, v in json.loads(r["strategy"]).items()}
        num = int(r["number"])
        key = [seed, 17, num] if r["phase"] == "grid" else [seed, num]
        bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng(key))
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(bad)
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        an = m.diagnostics_["regression"]["anchor"]
        print(f"{r['phase']} {num} {r['family']}: w {e['w_err']:.3f} warned {int(warned)}\n"
              f"   final {np.round(per_comp(m.W_, theta), 3).tolist()}"
              f" heavy {np.round(per_comp(an['W_heavy'], theta), 3).tolist()}"
              f" light {np.round(per_comp(an['W_light'], theta), 3).tolist()}\n"
              f"   pull {an['pull'].tolist()} mse_ratio {np.round(an['mse_ratio'], 2).tolist()}"
              f" T {np.round(an['statistic'], 0).tolist()} failed {an['failed'].tolist()}",
              flush=True)


if __name__ == "__main__":
    main()
