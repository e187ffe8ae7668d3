"""Spy-free public-API replay of several redteam27 rows (redteam27's
replay_nospy.py, one clean fit then each FILE:INDEX in turn), seed 2,
sizes 2-64, alpha 0.05.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27 \\
        python3 research/trim20/replay_rows.py rows_x.json:0 rows_z.json:0 ...
"""
import json
import sys
import warnings

import numpy as np

import dirgram
import flip  # noqa: F401
import splitgram  # noqa: F401
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
for spec in sys.argv[1:]:
    f, i = spec.rsplit(":", 1)
    row = json.load(open(f"research/redteam27/{f}"))[int(i)]
    strat = {p: tuple(v) for p, v in row["strategy"].items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta,
                        settings=attack_settings(m, 0.05), rng=np.random.default_rng(row["key"]))
    m2, W, warned = fit(theta, bad)
    an2 = m2.diagnostics_["regression"]["anchor"]
    print(f"{spec} key {row['key']}: W {W:.5f} ({W / W0:.4f}x) warned {warned} pull "
          f"{np.round(an2['pull'], 2)} ratio {np.round(an2['mse_ratio'], 3)} trimmed "
          f"{np.round(an2['mse_ratio_trimmed'], 3)}", flush=True)
