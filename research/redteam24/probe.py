"""Probe one row: the pull rule's inputs per component (tr G_L, κ, variance and
bias parts of the predicted ratio, |b|), the number of the adversary's tasks
kept per component, and the warnings. Same command line as rt24.py (--index i)."""
import argparse
import json
import warnings

import numpy as np

import flip  # noqa: F401
import robust_mlr.stages.regression._pooled as P
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.metrics import parameter_errors
from run import build_problem

CAP = {}
_orig = P._predicted_mse_ratio


def spy(cov_l, cov_h, b):
    prec_l = np.linalg.inv(cov_l)
    A = np.linalg.solve(prec_l + np.linalg.inv(cov_h), prec_l)
    R = np.eye(A.shape[0]) - A
    th = np.trace(cov_h)
    CAP.setdefault("parts", []).append(dict(
        var=round(float((np.trace(R @ cov_h @ R.T) + np.trace(A @ cov_l @ A.T)) / th), 3),
        bias=round(float(np.sum((A @ b) ** 2) / th), 3),
        trL_over_trH=round(float(np.trace(cov_l) / th), 3)))
    return _orig(cov_l, cov_h, b)


P._predicted_mse_ratio = spy
_lc = P.light_covariances


def lc(data, labels, k, *a, **kw):
    g, kap = _lc(data, labels, k, *a, **kw)
    CAP["kept_labels"] = np.asarray(labels)
    CAP["kappa"] = np.round(kap, 3).tolist()
    return g, kap


P.light_covariances = lc

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", default="hetero")
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--rows", required=True)
ap.add_argument("--index", type=int, nargs="+", default=[0])
a = ap.parse_args()
theta, pools = build_problem("default", a.sizes, a.seed)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clean = MetaLearner.robust(theta.k, 0.05, rng=a.seed).fit(pools)
settings = attack_settings(clean, 0.05)
rows = json.load(open(a.rows))
for i in a.index:
    r = rows[i]
    CAP.clear()
    strat = {p: tuple(v) for p, v in r["strategy"].items()}
    bad, masks = None, None
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings,
                        rng=np.random.default_rng(r.get("key", [a.seed, 24, i])))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, 0.05, rng=a.seed).fit(bad)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    lab = CAP.get("kept_labels")
    adv = bad.light2.components == -1 if bad.light2.components is not None else None
    print(i, r.get("note"), "w", round(float(e["w_err"]), 4))
    print("  parts", CAP.get("parts"), "kappa", CAP.get("kappa"))
    if lab is not None and adv is not None and lab.size == adv.size:
        print("  adversary kept per comp", np.bincount(lab[adv][lab[adv] >= 0], minlength=4).tolist(),
              "removed", int((lab[adv] < 0).sum()), "clean kept", np.bincount(lab[~adv][lab[~adv] >= 0], minlength=4).tolist())
    for w in ws:
        print("  WARN", str(w.message)[:700])
