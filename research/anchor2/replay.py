"""Replay the red team's top strategies (3 draws each) on the current code.

    PYTHONPATH=$PWD python3 research/anchor2/replay.py CSV TOP [ALPHA] [SIZES]
prints, per strategy and draw: the largest w error over components (units
of s), whether a CorruptionWarning was raised, and the anchor's T, allowance
and filter records for the worst component.
"""
import csv
import json
import sys
import warnings

import numpy as np

sys.path.insert(0, "research/redteam/redteam6")
from run import build_problem  # noqa: E402

from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import attack_settings, corrupt_pools  # noqa: E402
from robust_mlr.adversary.redteam import strategy_attack  # noqa: E402
from robust_mlr.exceptions import CorruptionWarning  # noqa: E402

path, top = sys.argv[1], int(sys.argv[2])
alpha = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
sizes = sys.argv[4] if len(sys.argv) > 4 else "fixed"
rows = sorted(csv.DictReader(open(path)), key=lambda r: -float(r["w_err"]))
seen, strategies = set(), []
for r in rows:
    if r["strategy"] not in seen:
        seen.add(r["strategy"])
        strategies.append((float(r["w_err"]), r["strategy"]))
theta, pools = build_problem("default", sizes, 0)
clean = MetaLearner.robust(theta.k, alpha, rng=0).fit(pools)
settings = attack_settings(clean, alpha)
worst = 0.0
for old, s in strategies[:top]:
    strat = {p: tuple(v) for p, v in json.loads(s).items()}
    for draw in range(3):
        bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta, settings=settings,
                            rng=np.random.default_rng([0, 17, draw]))
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = MetaLearner.robust(theta.k, alpha, rng=0).fit(bad)
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        E = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0) / theta.s
        err = E.min(axis=1)
        c = int(np.argmax(err))
        anc = m.diagnostics_["regression"].get("anchor", {})
        h = anc.get("heavy", [{}] * theta.k)[c]
        worst = max(worst, float(err.max()))
        print(f"old {old:.3f} draw {draw} W {err.max():.3f} warned {int(warned)} "
              f"T {np.round(anc.get('statistic', [np.nan] * 4)[c], 1)} "
              f"allow {np.round(anc.get('bias_allowance', [np.nan] * 4)[c], 2)} "
              f"rm {h.get('removed')} dir {np.round(h.get('direction_over_level', np.nan), 2)} "
              f"| {s[:150]}", flush=True)
print("worst", round(worst, 3))
