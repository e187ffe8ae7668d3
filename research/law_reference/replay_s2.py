"""Replay the adaptive study's worst robust row for a target on four attack
draws and print, per draw, the errors, each component's relative ŝ² error,
the heavy anchor's, the noise check's heavy centre, half-width, light
estimate and light standard error (relative to s², in the screened units
the stage works in: a common factor 1/σ_y², about 1.03 on the attacked
pools of the default problem, whose attack raises the screen's response
scale, 0.995 on its clean pools; s2_capture.py divides it out), and any
CorruptionWarning.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/law_reference/replay_s2.py s2 fixed 0.05 4

An optional fifth argument, JSON, replaces the row's attack in the pools it
names, e.g. '{"light2": ["midpoint", {"component": 2, "estimate": "s2", "frac": 0.6167}]}'.
"""
import csv, json, sys, warnings
import numpy as np
from experiments.adaptive import make_problem, PROBLEM
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
row = [r for r in csv.DictReader(open('docs/results/adaptive.csv')) if r['param.learner']=='robust' and r['param.target']==sys.argv[1] and r['param.sizes']==sys.argv[2] and float(r['param.alpha'])==float(sys.argv[3])][0]
rng = np.random.default_rng(int(row['seed']))
theta, pools = make_problem(dict(PROBLEM, sizes=sys.argv[2]), rng)
al = float(sys.argv[3]); seed = int(rng.integers(2 ** 31))
strat = {p: tuple(v) for p, v in json.loads(row['attack_params']).items()}
if len(sys.argv) > 5:
    strat.update({p: tuple(v) for p, v in json.loads(sys.argv[5]).items()})
    print("attack", strat)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clean = MetaLearner.robust(4, al, rng=seed).fit(pools)
settings = attack_settings(clean, al)
print("clean", {k: round(float(v), 4) for k, v in parameter_errors(clean.W_, clean.s2_, clean.p_, theta).items() if np.ndim(v) == 0})
for draw in range(int(sys.argv[4])):
    bad = corrupt_pools(pools, strategy_attack(strat), al, theta=theta, settings=settings, rng=np.random.default_rng([seed, draw]))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(4, al, rng=seed).fit(bad)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    warned = [str(w.message)[:200] for w in ws if issubclass(w.category, CorruptionWarning)]
    g = m.diagnostics_["regression"]
    nc = g.get("noise_check", {})
    print("   nc", {a: np.round(np.asarray(nc[a], float) / theta.s ** 2, 4).tolist() for a in ("heavy_centre", "heavy_half_width", "s2_light", "light_se") if a in nc}, "shrunk", nc.get("shrunk"))
    print(draw, "w %.3f s2 %.3f p %.3f" % (e["w_err"], e["s2_err"], e["p_err"]), "s2", np.round(m.s2_ / theta.s ** 2 - 1, 3), "heavy s2", np.round(np.asarray(g["anchor"]["s2_heavy"]) / theta.s ** 2 - 1, 3) if "anchor" in g else None, warned)
