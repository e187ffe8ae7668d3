"""Adaptive probe of the top-4 trim: redteam27's silent row (rows_x #0, key
[2, 27, 64]) with its one decoy replaced by ``multi_decoy`` (multidecoy.py):
the decoy tasks split over NDECOY directions; decoy share and decoy mix varied.
Public API, as replay_rows.py; seed 2, sizes 2-64, alpha 0.05.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27:research/trim20 \\
        python3 research/trim20/probe.py
"""
import copy
import json
import warnings

import numpy as np

import dirgram
import flip  # noqa: F401
import multidecoy  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from run import build_problem


def fit(theta, pools, seed=2):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    W = max(np.min(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0)) / theta.s[a] for a in range(theta.k))
    return m, W, warned


theta, pools = build_problem("default", "hetero", 2)
m, W0, w0 = fit(theta, pools)
an = m.diagnostics_["regression"]["anchor"]
order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0))) for a in range(theta.k)]
B, gap = np.asarray(an["predicted_bias"]), an["W_light"] - an["W_heavy"]
dirgram.WHITEBOX.update(bias=B[:, order], gap=gap[:, order])
print(f"clean W {W0:.5f} warned {w0}", flush=True)
base = json.load(open("research/redteam27/rows_x.json"))[0]
for nd, dec, dmix, cover in [(4, 0.8, 0.975, 0.83), (4, 0.7, 0.975, 0.83), (4, 0.8, 0.99, 0.83),
                             (4, 0.75, 0.985, 0.87), (2, 0.67, 0.975, 0.83), (5, 0.83, 0.975, 0.83)]:
    row = copy.deepcopy(base)
    fam, kw = row["strategy"]["light2"]
    kw.update(ndecoy=nd, decoy=dec, decoy_mix=dmix, cover=cover)
    row["strategy"]["light2"] = ["multi_decoy", kw]
    strat = {p: tuple(v) for p, v in row["strategy"].items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta,
                        settings=attack_settings(m, 0.05), rng=np.random.default_rng(row["key"]))
    m2, W, warned = fit(theta, bad)
    a = m2.diagnostics_["regression"]["anchor"]
    print(f"ndecoy {nd} decoy {dec} dmix {dmix} cover {cover}: W {W:.5f} ({W / W0:.4f}x) warned {warned} "
          f"pull {np.round(a['pull'], 2)} ratio {np.round(a['mse_ratio'], 3)} trimmed "
          f"{np.round(a['mse_ratio_trimmed'], 3)}", flush=True)
