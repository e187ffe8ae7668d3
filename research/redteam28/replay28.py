"""Spy-free public-API replay of fits logged in logs/fits.jsonl (selected by
seed, family, index): build the problem, clean fit, the white-box input only
from the clean fit's public ``anchor["predicted_bias"]`` and ŵ_L − ŵ_H,
corrupt with the logged strategy and key, fit, and print W/clean, warned,
pull, ratios, and per component ‖ŵ − w‖/s next to the anchor's
‖ŵ_H − w‖/s (where the error comes from).

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27:research/redteam28 \\
        python3 research/redteam28/replay28.py 2 hkeys 6 [2 heavy 17 ...]
"""
import json
import sys
import time
import warnings

import numpy as np

import dirgram
import flip  # noqa: F401
import rt28attack  # noqa: F401
import splitgram  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from run import build_problem


def fit(theta, pools, seed):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    return m, warned, time.perf_counter() - t0


def errors(m, theta):
    """Per true component: ‖ŵ − w‖/s of the nearest ŵ, and the anchor's ‖ŵ_H − w‖/s of that column."""
    an = m.diagnostics_["regression"]["anchor"]
    out = []
    for a in range(theta.k):
        j = int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0)))
        eh = np.linalg.norm(an["W_heavy"][:, j] - theta.W[:, a]) / theta.s[a]
        out.append((float(np.linalg.norm(m.W_[:, j] - theta.W[:, a]) / theta.s[a]), float(eh), j))
    return out


import os  # noqa: E402

import robust_mlr  # noqa: E402

print("robust_mlr from", robust_mlr.__file__, flush=True)
recs = [json.loads(line) for line in open(os.environ.get("RT28_LOG", "research/redteam28/logs/fits.jsonl"))]
args = sys.argv[1:]
wanted = [(int(args[i]), args[i + 1], int(args[i + 2])) for i in range(0, len(args), 3)]
problems = {}
for seed, fam, idx in wanted:
    rec = next(r for r in recs if r["seed"] == seed and r["family"] == fam and r["index"] == idx
               and r["sizes"] == "hetero")
    if seed not in problems:
        theta, pools = build_problem("default", "hetero", seed)
        m, w0, t0 = fit(theta, pools, seed)
        W0 = max(e for e, _, _ in errors(m, theta))
        print(f"seed {seed} clean W {W0:.5f} warned {w0} time {t0:.2f}; per comp (ŵ, ŵ_H) "
              f"{[(round(e, 4), round(h, 4)) for e, h, _ in errors(m, theta)]}", flush=True)
        problems[seed] = (theta, pools, m, W0, t0)
    theta, pools, m, W0, t0 = problems[seed]
    an = m.diagnostics_["regression"]["anchor"]
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0))) for a in range(theta.k)]
    B, gap = np.asarray(an["predicted_bias"]), an["W_light"] - an["W_heavy"]
    dirgram.WHITEBOX.clear()
    dirgram.WHITEBOX.update(bias=B[:, order], gap=gap[:, order])
    strat = {p: tuple(v) for p, v in rec["strategy"].items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta,
                        settings=attack_settings(m, 0.05), rng=np.random.default_rng(rec["key"]))
    m2, warned, t = fit(theta, bad, seed)
    an2 = m2.diagnostics_["regression"]["anchor"]
    errs = errors(m2, theta)
    W = max(e for e, _, _ in errs)
    print(f"seed {seed} {fam} #{idx} ({rec['note']}): W {W:.5f} ({W / W0:.4f}x; logged "
          f"{rec['ratio_to_clean']:.4f}x) warned {warned} time {t / t0:.2f}x clean; pull "
          f"{np.round(an2['pull'], 2)} ratio {np.round(an2['mse_ratio'], 3)} trimmed "
          f"{np.round(an2['mse_ratio_trimmed'], 3)}; per comp (ŵ, ŵ_H) "
          f"{[(round(e, 4), round(h, 4)) for e, h, _ in errs]}", flush=True)
