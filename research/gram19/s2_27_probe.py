"""Where the seed-2 heavy-only row (redteam24 s2_27: light-1 variance_hiding
0.31, heavy gate_seeded anchor_leak/"away", light-2 gate_match) gets its
0.168: the screen's scales, the covariance, the heavy / light / final
estimates of the worst component in data units, and the same fit with the
light-1 attack removed.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24 OMP_NUM_THREADS=1 \\
        python3 research/gram19/s2_27_probe.py
"""
import json
import warnings

import numpy as np

import flip  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.metrics import parameter_errors
from run import build_problem

theta, pools = build_problem("default", "hetero", 2)


def fit(p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, 0.05, rng=2).fit(p)


clean = fit(pools)
settings = attack_settings(clean, 0.05)
row = json.load(open("research/redteam24/rows/s2_27.json"))[0]
for drop in (None, "light1", "light2"):
    strat = {p: tuple(v) for p, v in row["strategy"].items() if p != drop}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings,
                        rng=np.random.default_rng(row["key"]))
    m = fit(bad)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
    sc = m.diagnostics_.get("screen", {})
    an = m.diagnostics_["regression"]["anchor"]
    errs = [np.linalg.norm(m.W_[:, [c]] - theta.W, axis=0) / theta.s[0] for c in range(4)]
    c = int(np.argmax([x.min() for x in errs]))
    j = int(np.argmin(errs[c]))
    print(f"without {drop}: w {e:.4f} sigma_x {sc.get('sigma_x')} sigma_y {sc.get('sigma_y')} "
          f"covariance {m.covariance_ is not None} | comp {c} (true {j}) final "
          f"{errs[c][j]:.4f} ||W_heavy - w||/s (stage units) "
          f"{np.linalg.norm(an['W_heavy'][:, c] - theta.W[:, j]) / theta.s[0]:.4f} "
          f"||W_light - w||/s {np.linalg.norm(an['W_light'][:, c] - theta.W[:, j]) / theta.s[0]:.4f} "
          f"||W_ - W_heavy|| {np.linalg.norm(m.W_[:, c] - an['W_heavy'][:, c]) / theta.s[0]:.4f} "
          f"pull {an['pull'].tolist()}", flush=True)
