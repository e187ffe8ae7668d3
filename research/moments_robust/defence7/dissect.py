"""Stage-by-stage dissection of the worst row of the moment estimator's sixth
search (heavy ``anchor_edge`` + light-2 ``edge_placement`` on component 6,
⊥ direction u): where component 6's error along u arises.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/defence7/dissect.py [--variant both heavy light2 ablate]

Variants: ``both`` (the row), ``heavy`` / ``light2`` (one pool's attack
alone), ``ablate`` (the row with u projected out of the clustering basis —
what the fit does when the heavy tasks cannot put u there). Prints, per
variant, u's weight in the clustering basis and its rank among the heavy
split-half moment's directions, component 6's coordinate along u (in units
of s) at the moment estimate, the light-task EM, the final ŵ, its error and
the light-2 tasks classified to it (clean / adversary's).
"""
import argparse
import json
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary._craft import fixed_direction
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.stages.clustering import stages as cl_stages
from robust_mlr.stages.clustering import basis as cl_basis

from run import build_problem

ROW = {"light1": ("none", {}),
       "heavy": ("anchor_edge", {"component": 6, "level": 1.2, "rss": 1.3, "pick": "own",
                                 "direction": "orthogonal"}),
       "light2": ("edge_placement", {"component": 6, "level": 0.95, "direction": "orthogonal",
                                     "noise": 0.0, "x_level": 0.0})}
SEED, ALPHA, KEY, COMP = 1, 0.05, [1, 0], 6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", nargs="*", default=["both", "heavy", "light2", "ablate"])
    ap.add_argument("--noise", type=float, default=None,
                    help="the light-2 tasks' noise (the row: 0)")
    a = ap.parse_args()
    theta, pools = build_problem("smallheavy", "fixed", SEED)
    k, s = theta.k, float(theta.s[COMP])
    u = fixed_direction(theta.W)
    clean = MetaLearner.robust(k, ALPHA, rng=SEED, clustering="moments_robust").fit(pools)
    settings = attack_settings(clean, ALPHA)
    orig_basis = cl_stages.heavy_basis
    for variant in a.variant:
        strat = dict(ROW)
        if a.noise is not None:
            strat["light2"] = (ROW["light2"][0], dict(ROW["light2"][1], noise=a.noise))
        if variant == "heavy":
            strat["light2"] = ("none", {})
        if variant == "light2":
            strat["heavy"] = ("none", {})
        bad = corrupt_pools(pools, strategy_attack(strat), ALPHA, theta=theta,
                            settings=settings, rng=np.random.default_rng(KEY))
        seen = {}

        def basis(heavy, U, kk, alpha, **kw):
            B = orig_basis(heavy, U, kk, alpha, **kw)
            seen["basis_dim"] = B.shape[1]
            seen["weight"] = float(np.linalg.norm(B.T @ u))
            # rank of u among the trimmed split-half moment's directions off U
            P = np.linalg.qr(np.hstack([U, np.eye(U.shape[0])]))[0][:, U.shape[1]:]
            b = cl_basis._half_means(heavy, P)
            sc = np.linalg.norm(b[0], axis=1) * np.linalg.norm(b[1], axis=1)
            n = heavy.n_tasks
            keep = np.argsort(sc)[:n - min(cl_basis.excess_limit(alpha, n), n - 2)]
            M = (b[0, keep].T @ b[1, keep] + b[1, keep].T @ b[0, keep]) / (2 * keep.size)
            lam, V = np.linalg.eigh(M)
            lam, V = lam[::-1], V[:, ::-1]
            pu = P.T @ u
            seen["eig"] = np.round(lam[:kk + 2] / s ** 2, 4).tolist()
            seen["u_quad"] = round(float(pu @ M @ pu) / s ** 2, 4)
            seen["u_top"] = np.round(np.abs(V[:, :kk].T @ pu), 2).tolist()
            if variant == "ablate":
                E = B[:, U.shape[1]:] - np.outer(u, u @ B[:, U.shape[1]:])
                Q, sv, _ = np.linalg.svd(E, full_matrices=False)
                B = np.hstack([U, Q[:, sv > 0.5]])
                seen["weight_after"] = float(np.linalg.norm(B.T @ u))
            return B

        cl_stages.heavy_basis = basis
        try:
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                m = MetaLearner.robust(k, ALPHA, rng=SEED, clustering="moments_robust").fit(bad)
        finally:
            cl_stages.heavy_basis = orig_basis
        info = m.diagnostics_["clustering"]
        mom = info["moments"]["centres"]
        W = theta.W[:, COMP]
        # the component matched to COMP (nearest estimate)
        j = lambda M: int(np.argmin(np.linalg.norm(M - W[:, None], axis=0)))  # noqa: E731
        bad_l2 = bad.masks["light2"] if "light2" in bad.masks else np.zeros(bad.light2.n_tasks, bool)
        lab = m.light_labels_
        jf = j(m.W_)
        rec = {"variant": variant, **seen,
               "moments_u": round(float(u @ mom[:, j(mom)]) / s, 3),
               "moments_err": round(float(np.linalg.norm(mom[:, j(mom)] - W)) / s, 3),
               "em_u": round(float(u @ m.W_tilde_[:, j(m.W_tilde_)]) / s, 3),
               "em_err": round(float(np.linalg.norm(m.W_tilde_[:, j(m.W_tilde_)] - W)) / s, 3),
               "final_u": round(float(u @ m.W_[:, jf]) / s, 3),
               "final_err": round(float(np.linalg.norm(m.W_[:, jf] - W)) / s, 3),
               "final_err_perp_u": round(float(np.linalg.norm(
                   (m.W_[:, jf] - W) - u * (u @ (m.W_[:, jf] - W)))) / s, 3),
               "classified_clean": int(np.sum((lab == jf) & ~bad_l2)),
               "classified_adv": int(np.sum((lab == jf) & bad_l2)),
               "s2_err": round(float(abs(m.s2_[jf] - theta.s[COMP] ** 2) / theta.s[COMP] ** 2), 3),
               "r2_tilde": round(float(m.r2_tilde_[j(m.W_tilde_)]) / s ** 2, 3),
               "p_tilde": round(float(m.p_tilde_[j(m.W_tilde_)]), 3),
               "lost_flagged": int(np.sum((bad.light2.components == COMP) & ~bad_l2 & (lab < 0))),
               "lost_elsewhere": int(np.sum((bad.light2.components == COMP) & ~bad_l2
                                            & (lab >= 0) & (lab != jf))),
               "excess": m.diagnostics_["classification"].get(
                   "reclassified", {}).get("components"),
               "warned": sorted({str(w.message)[:80] for w in ws
                                 if issubclass(w.category, CorruptionWarning)})}
        print(json.dumps(rec, default=lambda o: np.asarray(o).tolist()), flush=True)


if __name__ == "__main__":
    main()
