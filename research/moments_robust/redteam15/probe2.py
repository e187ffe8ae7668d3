"""Probe one strategy along the attack's own u (read-only wrappers): per
task of the moved component, the clipped score sum t^{-1/2} Σ ψ(r x·u)
(κ = 2ŝ, at the filter's least-squares fit, as the clipped test reads it)
and the raw sum, split into the adversary's tasks (a row at |x·u| = u_lever)
and the rest; the filter's and the refit's shift along u.

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam15/probe2.py ALPHA DRAW 'JSON'
"""
import json
import os
import sys
import warnings

import numpy as np

import robust_mlr.stages.regression.robust as rob
import robust_mlr.stages.regression._clipped_test as ctm
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.adversary.clip_attacks import _tilde_direction
from robust_mlr.adversary.median_attacks import decoy_direction
from robust_mlr.metrics import parameter_errors
from run import build_problem
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screened  # noqa: F401,E402

ST = {"u": None, "lever": None, "rows": [], "refit": []}
_add, _refit = ctm.ClippedScores.add, rob.clipped_refit


def add(self, X, r, lab, cw, offsets, task_lab):
    u = ST["u"]
    if u is None:
        return _add(self, X, r, lab, cw, offsets, task_lab)
    xu = X @ u
    own = np.maximum(lab, 0)
    kap = self.scale[own]
    q = np.clip(r * xu, -kap, kap)
    raw = r * xu
    t = np.diff(offsets)
    starts = offsets[:-1]
    adv = np.add.reduceat((np.abs(xu) > 0.8 * ST["lever"]).astype(float), starts) > 0
    ST["rows"].append((task_lab.copy(), adv, np.add.reduceat(q, starts) / np.sqrt(t),
                       np.add.reduceat(raw, starts) / np.sqrt(t),
                       np.add.reduceat(q * q * cw, starts), np.add.reduceat(raw * raw * cw, starts),
                       np.add.reduceat(cw, starts), self.scale.copy()))
    return _add(self, X, r, lab, cw, offsets, task_lab)


def refit(data, labels, kept, W, *a, **kw):
    Wn, info = _refit(data, labels, kept, W, *a, **kw)
    ST["refit"].append((W.copy(), Wn.copy()))
    return Wn, info


ctm.ClippedScores.add, rob.clipped_refit = add, refit


def main():
    alpha, draw, js = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    seed = int(os.environ.get("SEED", 1))
    theta, pools = build_problem("smallheavy", "fixed", seed)
    mk = lambda: MetaLearner.robust(8, alpha, rng=seed, clustering="moments_robust")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = mk().fit(pools)
    settings = attack_settings(clean, alpha)
    strat = {p: tuple(v) for p, v in json.loads(js).items()}
    prm = strat["light2"][1]
    ST["lever"] = float(prm.get("u_lever", 4.0))
    Wt = settings["thresholds"]["clustering"]["W_tilde"]
    a = 6
    u = _tilde_direction(Wt, theta.W, a, decoy_direction(theta.W))
    bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta, settings=settings,
                        rng=np.random.default_rng([seed, draw]))
    ST["rows"].clear(); ST["refit"].clear(); ST["u"] = u
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = mk().fit(bad)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    reg = m.diagnostics_["regression"]
    ec = reg["example_clip"]
    print("W", round(float(e["w_err"]), 3), "s2err", round(float(e["s2_err"]), 3), "ctest", max(ec["clipped_test"]),
          "moved", max(ec["moved_se"]), "warn", sorted({str(w.message)[:80] for w in ws if "corrupt" in str(w.message)}))
    for Wf, Wr in ST["refit"]:
        D = np.linalg.norm(Wf[:, :, None] - theta.W[:, None, :], axis=0)
        c = int(np.argmin(D[:, a]))
        print(f"refit call: comp {c} filter (LS) along u {(Wf[:, c] - theta.W[:, a]) @ u / theta.s[a]:.3f} "
              f"refit along u {(Wr[:, c] - theta.W[:, a]) @ u / theta.s[a]:.3f} "
              f"refit err {np.linalg.norm(Wr[:, c] - theta.W[:, a]) / theta.s[a]:.3f}")
    # per pass of ClippedScores (one per regression pass): concatenate blocks
    n_pass = len(ST["refit"])
    per = len(ST["rows"]) // max(n_pass, 1)
    for p in range(n_pass):
        blk = ST["rows"][p * per:(p + 1) * per]
        tl, adv, gq, gr, q2, r2, cw, scale = [np.concatenate([b[i] for b in blk]) if i < 7 else blk[0][7]
                                               for i in range(8)]
        Wf = ST["refit"][p][0]
        D = np.linalg.norm(Wf[:, :, None] - theta.W[:, None, :], axis=0)
        c = int(np.argmin(D[:, a]))
        sel = tl == c
        A, Cl = sel & adv, sel & ~adv
        n = sel.sum()
        for name, g, sq in (("clipped", gq, q2), ("raw", gr, r2)):
            R = sq[sel].sum() / cw[sel].sum()
            C = g[sel].var()
            print(f"pass {p} comp {c} kappa {scale[c]:.3f} {name}: n adv {A.sum()} clean {Cl.sum()} "
                  f"mean g adv {g[A].mean() if A.any() else 0:.3f} clean {g[Cl].mean():.3f} "
                  f"var adv {g[A].var() if A.any() else 0:.3f} clean {g[Cl].var():.3f} "
                  f"C_u {C:.3f} R_u {R:.3f} C/R {C / R:.3f} edge {(1 + 2 * np.sqrt(64 / n)) ** 2:.3f}")


if __name__ == "__main__":
    main()
