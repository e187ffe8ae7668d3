"""Where the worst rows' error comes from: with pull 0 everywhere the final ŵ is
the heavy anchor's ŵ_H (anchor["W_heavy"], in the screen's scaled units) times
one factor f = s_y/s_x, the Screen reduction's shared robust scales
(preprocess.Screen.invert). Prints f of the clean and attacked fits, the
spread of W_/W_heavy over all entries (0: ŵ is ŵ_H, entry by entry) and W/clean.

    PYTHONPATH=... python3 research/redteam28/scale28.py 2 hkeys 6 2 combo 1 2 combo 7
"""
import json
import sys
import warnings

import numpy as np

import dirgram
import flip  # noqa: F401
import rt28attack  # noqa: F401
import splitgram  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem


def fit(pools, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, 0.05, rng=seed).fit(pools)


def factor(m):
    Wh = m.diagnostics_["regression"]["anchor"]["W_heavy"]
    return float(np.median(m.W_ / Wh))


def werr(W, theta):
    return max(np.min(np.linalg.norm(W - theta.W[:, [a]], axis=0)) / theta.s[a] for a in range(theta.k))


recs = [json.loads(line) for line in open("research/redteam28/logs/fits.jsonl")]
args = sys.argv[1:]
cache = {}
for i in range(0, len(args), 3):
    seed, fam, idx = int(args[i]), args[i + 1], int(args[i + 2])
    rec = next(r for r in recs if r["seed"] == seed and r["family"] == fam and r["index"] == idx
               and r["sizes"] == "hetero")
    if seed not in cache:
        theta, pools = build_problem("default", "hetero", seed)
        m = fit(pools, seed)
        cache[seed] = theta, pools, m
    theta, pools, m = cache[seed]
    an = m.diagnostics_["regression"]["anchor"]
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0))) for a in range(4)]
    dirgram.WHITEBOX.update(bias=np.asarray(an["predicted_bias"])[:, order],
                            gap=(an["W_light"] - an["W_heavy"])[:, order])
    bad = corrupt_pools(pools, strategy_attack({p: tuple(v) for p, v in rec["strategy"].items()}), 0.05,
                        theta=theta, settings=attack_settings(m, 0.05), rng=np.random.default_rng(rec["key"]))
    m2 = fit(bad, seed)
    f0, f1 = factor(m), factor(m2)
    W0 = werr(m.W_, theta)
    Wh2 = m2.diagnostics_["regression"]["anchor"]["W_heavy"]
    spread = float(np.ptp(m2.W_ / Wh2))
    print(f"seed {seed} {fam} #{idx}: factor clean {f0:.5f} attacked {f1:.5f} (spread of W_/W_heavy "
          f"{spread:.1e}); W {werr(m2.W_, theta) / W0:.4f}x clean, pull "
          f"{m2.diagnostics_['regression']['anchor']['pull']}", flush=True)
