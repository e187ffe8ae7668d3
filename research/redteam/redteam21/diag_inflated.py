"""Why the decoys take u out of the inflated set: the first round's
per-example moment M of the target component along u, over its median
eigenvalue, with and without decoy pairs (seed 2, component 4, draw 2).

    PYTHONPATH=<as rt21.py> OMP_NUM_THREADS=1 python3 research/redteam/redteam21/diag_inflated.py
"""
import numpy as np

import rt21
from rt21 import fit, build_problem, attack_settings, corrupt_pools, strategy_attack
from robust_mlr.stages.regression import robust as _robust
from robust_mlr.stages.regression._clipped_test import inflated_edge

SEEN = []
_orig = _robust.candidate_directions


def _cd(moments, gsum, gmom, labels, ok, top=2, rows=None):
    SEEN.append((moments, rows, labels))
    return _orig(moments, gsum, gmom, labels, ok, top=top, rows=rows)


_robust.candidate_directions = _cd


def report(tag, u, theta, col):
    moments, rows, _ = SEEN[-1]
    Mc = moments[col]
    lam = np.linalg.eigvalsh((Mc + Mc.T) / 2)
    med = float(np.median(lam))
    edge = inflated_edge(Mc.shape[0], None if rows is None else rows[col])
    print(f"{tag}: u'Mu/median {float(u @ Mc @ u) / med:.3f}  edge {edge:.3f}  "
          f"top eigenvalues/median {np.round(lam[-14:][::-1] / med, 2).tolist()}  "
          f"median {med:.4f}  mean {lam.mean():.4f}", flush=True)


def main():
    seed, comp = 2, 4
    theta, pools = build_problem("smallheavy", "fixed", seed)
    rec, m, col = fit(pools, theta, 0.01, seed)
    upath = "research/moments_robust/redteam17/clean_err_s2_a0.01_c4.npy"
    u = np.load(upath)
    u /= np.linalg.norm(u)
    report("clean", u, theta, col[comp])
    settings = attack_settings(m, 0.01)
    lever = {"component": comp, "rows": 3, "lever": 3.0, "resid": 1.8, "direction": upath}
    for name, extra in (("hidden_lever", {}),
                        ("decoy_lever", {"npairs": 6, "d_lever": 10, "d_resid": 1.0, "ndecoy": 12}),
                        ("decoy_lever", {"npairs": 6, "d_lever": 0, "d_resid": 1.0, "ndecoy": 12})):
        bad = corrupt_pools(pools, strategy_attack({"light2": (name, dict(lever, **extra))}), 0.01,
                            theta=theta, settings=settings, rng=np.random.default_rng([seed, 2]))
        rec, mb, colb = fit(bad, theta, 0.01, seed)
        report(f"{name} {extra} W {rec['w']}", u, theta, colb[comp])


if __name__ == "__main__":
    main()
