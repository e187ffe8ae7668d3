"""CPU time (time.process_time, robust to the shared machine's load) of the
clean fit and of logged attacked fits, alternated fit by fit, 3 rounds.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27:research/redteam28 \\
        python3 research/redteam28/timing28.py 2 keys 8 [SEED FAMILY INDEX ...]
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
from run import build_problem


def cpu_fit(pools, seed):
    t0, w0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, 0.05, rng=seed).fit(pools)
    return m, time.process_time() - t0, time.perf_counter() - w0


recs = [json.loads(line) for line in open("research/redteam28/logs/fits.jsonl")]
args = sys.argv[1:]
for i in range(0, len(args), 3):
    seed, fam, idx = int(args[i]), args[i + 1], int(args[i + 2])
    rec = next(r for r in recs if r["seed"] == seed and r["family"] == fam and r["index"] == idx
               and r["sizes"] == "hetero")
    theta, pools = build_problem("default", "hetero", seed)
    m, _, _ = cpu_fit(pools, seed)
    an = m.diagnostics_["regression"]["anchor"]
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0))) for a in range(4)]
    dirgram.WHITEBOX.update(bias=np.asarray(an["predicted_bias"])[:, order],
                            gap=(an["W_light"] - an["W_heavy"])[:, order])
    bad = corrupt_pools(pools, strategy_attack({p: tuple(v) for p, v in rec["strategy"].items()}), 0.05,
                        theta=theta, settings=attack_settings(m, 0.05), rng=np.random.default_rng(rec["key"]))
    c, a = [], []
    for _ in range(3):
        c.append(cpu_fit(pools, seed)[1:])
        a.append(cpu_fit(bad, seed)[1:])
    c, a = np.array(c), np.array(a)
    print(f"seed {seed} {fam} #{idx}: clean cpu {np.round(c[:, 0], 2)} wall {np.round(c[:, 1], 2)}; "
          f"attacked cpu {np.round(a[:, 0], 2)} wall {np.round(a[:, 1], 2)}; median cpu ratio "
          f"{np.median(a[:, 0]) / np.median(c[:, 0]):.2f}, max cpu ratio {a[:, 0].max() / c[:, 0].min():.2f}",
          flush=True)
