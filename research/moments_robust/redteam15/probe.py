"""Probe one strategy: which directions the clipped test reads for the
moved component, and how the push direction u sits in the first round's
per-example moment M and gradient covariance C (read-only wrappers).

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam15/probe.py ALPHA DRAW 'JSON'
"""
import json
import os
import sys
import warnings

import numpy as np

import robust_mlr.stages.regression.robust as rob
import robust_mlr.stages.regression._example_clip as exc
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.metrics import parameter_errors
from run import build_problem
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screened  # noqa: F401,E402

REC = []
_cd, _cs = rob.candidate_directions, exc.ClippedScores


def cd(moments, gsum, gmom, labels, ok, top=2):
    out = _cd(moments, gsum, gmom, labels, ok, top)
    counts = np.bincount(labels[labels >= 0], minlength=gsum.shape[0])
    Cs = []
    for c in range(gsum.shape[0]):
        mean = gsum[c] / max(counts[c], 1)
        Cs.append(gmom[c] / max(counts[c], 1) - np.outer(mean, mean))
    REC.append({"M": moments, "C": Cs})
    return out


class CS(_cs):
    def __init__(self, bases, scale):
        REC[-1]["bases"] = bases
        super().__init__(bases, scale)


rob.candidate_directions, exc.ClippedScores = cd, CS


def main():
    alpha, draw, js = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    seed = int(os.environ.get("SEED", 1))
    theta, pools = build_problem("smallheavy", "fixed", seed)
    mk = lambda: MetaLearner.robust(8, alpha, rng=seed, clustering="moments_robust")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = mk().fit(pools)
    strat = {p: tuple(v) for p, v in json.loads(js).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                        settings=attack_settings(clean, alpha), rng=np.random.default_rng([seed, draw]))
    REC.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = mk().fit(bad)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    ec = m.diagnostics_["regression"]["example_clip"]
    print("W", round(float(e["w_err"]), 3), "ctest", ec["clipped_test"], "passes", len(REC))
    # the moved component: largest ‖Ŵ_c − nearest w‖
    D = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
    c = int(np.argmax(D.min(axis=1))); a = int(np.argmin(D[c]))
    u = m.W_[:, c] - theta.W[:, a]; u /= np.linalg.norm(u)
    # the attack's own u (white-box settings of the clean fit)
    from robust_mlr.adversary.clip_attacks import _tilde_direction
    from robust_mlr.adversary.median_attacks import decoy_direction
    Wt = attack_settings(clean, alpha)["thresholds"]["clustering"]["W_tilde"]
    ut = _tilde_direction(Wt, theta.W, a, decoy_direction(theta.W))
    print("cos(fit error, attack u)", round(float(abs(u @ ut)), 3))
    u = ut
    for i, r in enumerate(REC):
        M, C = r["M"][c], r["C"][c]
        lm, Vm = np.linalg.eigh(M); lc, Vc = np.linalg.eigh(C)
        B = r.get("bases", [None] * 8)[c]
        print(f"pass {i} comp {c}: M top {np.round(lm[-4:][::-1], 3)} u'Mu {u @ M @ u:.3f} "
              f"|top2 M . u| {np.round(np.abs(Vm[:, -2:].T @ u), 3)}")
        print(f"   C top {np.round(lc[-4:][::-1], 3)} u'Cu {u @ C @ u:.3f} "
              f"|top2 C . u| {np.round(np.abs(Vc[:, -2:].T @ u), 3)}")
        if B is not None:
            print(f"   tested dims {B.shape[1]} |proj u| {np.linalg.norm(B.T @ u):.3f}")


if __name__ == "__main__":
    main()
