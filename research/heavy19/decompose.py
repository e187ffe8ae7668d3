"""Decomposition of the seed-2 heavy-only row (redteam24 s2_27): where the
heavy anchor's error on the attacked component comes from.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24 OMP_NUM_THREADS=1 \\
        python3 research/heavy19/decompose.py [seed] [rows.json]
"""
import json
import sys
import warnings

import numpy as np

import flip  # noqa: F401
import robust_mlr.stages.regression._pooled as P
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.limits import two_point_floor
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import _heavy_anchor as H
from run import build_problem

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rows = sys.argv[2] if len(sys.argv) > 2 else "research/redteam24/rows/s2_27.json"
OUT = sys.argv[3] if len(sys.argv) > 3 else "research/heavy19/logs"
theta, pools = build_problem("default", "hetero", seed)
CAP = {}
_orig = P.heavy_anchor


def spy(heavy, labels, k, alpha, rng, *a, **kw):
    CAP.update(heavy=heavy, labels=labels.copy(), target=a[2] if len(a) > 2 else None)
    out = _orig(heavy, labels, k, alpha, rng, *a, **kw)
    CAP["out"] = out
    return out


P.heavy_anchor = spy


def fit(p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, 0.05, rng=seed).fit(p)


def wls(A, beta, idx):
    At, _ = H._capped_weights(A, np.ones(len(A), bool))
    G = At[idx].sum(0)
    return np.linalg.solve(G, np.einsum("nij,nj->i", At[idx], beta[idx]))


clean = fit(pools)
ce = parameter_errors(clean.W_, clean.s2_, clean.p_, theta)["w_err"]
cW_h = CAP["out"][0]
settings = attack_settings(clean, 0.05)
row = json.load(open(rows))[0]
strat = {p: tuple(v) for p, v in row["strategy"].items()}
bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings,
                    rng=np.random.default_rng(row.get("key", [seed, 24, 0])))
m = fit(bad)
e = parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
s = float(theta.s[0])
heavy, labels = CAP["heavy"], CAP["labels"]
W_h, _, _, info = CAP["out"]
true = heavy.components                      # -1 = replaced
mask = bad.masks["heavy"] if hasattr(bad, "masks") else (true < 0)
comp_of = np.array([int(np.argmin(np.linalg.norm(W_h[:, [c]] - theta.W, axis=0)))
                    for c in range(4)])
print(f"seed {seed}: clean w_err {ce:.4f}; attacked w_err {e:.4f} ({e / ce:.2f}x)")
print("heavy task counts per true component (clean pool):",
      np.bincount(pools["heavy"].components, minlength=4).tolist(),
      "p:", np.round(theta.p, 3).tolist())
A = H._task_grams(heavy)
b = heavy.task_sums(heavy.X * heavy.y[:, None])
beta = np.linalg.solve(A, b[..., None])[..., 0]
orig_true = pools["heavy"].components
for c in range(4):
    j = comp_of[c]
    idx = np.flatnonzero(labels == c)
    n_bad = int(mask[idx].sum())
    mis = int(np.sum((orig_true[idx] != j) & ~mask[idx]))
    err_h = np.linalg.norm(W_h[:, c] - theta.W[:, j]) / s
    print(f"comp {c} (true {j}): assigned {idx.size}, corrupted {n_bad}, misassigned clean {mis}, "
          f"heavy err {err_h:.4f}, clean-fit heavy err "
          f"{np.linalg.norm(cW_h[:, c] - theta.W[:, j]) / s:.4f}; record "
          + str({k: (round(v, 3) if isinstance(v, float) else v) for k, v in info[c].items()
                 if not isinstance(v, (list, np.ndarray))}))
# worst component: decomposition
c = int(np.argmax([np.linalg.norm(W_h[:, cc] - theta.W[:, comp_of[cc]]) for cc in range(4)]))
j = comp_of[c]
w = theta.W[:, j]
idx = np.flatnonzero(labels == c)
own_clean = np.flatnonzero((orig_true == j))                     # the component's clean tasks (before)
floor = two_point_floor(128, float(theta.p[j]), 0.05)
floor_n = two_point_floor(128, idx.size / heavy.n_tasks, 0.05)
print(f"\nworst comp {c} (true {j}); two-point floor heavy t=128 p={theta.p[j]:.3f}: {floor:.4f}; "
      f"at the assigned share {idx.size / heavy.n_tasks:.3f}: {floor_n:.4f}")
# reconstruct the filter's kept set: rerun the filter with the same rng state is not possible;
# rebuild with a fresh rng and record
Aall = A
est = {}
kept_clean = idx[~mask[idx] & (orig_true[idx] == j)]
est["capped mean, clean pool's own tasks (no attack)"] = wls(A if False else H._task_grams(pools["heavy"]),
                                                             np.linalg.solve(H._task_grams(pools["heavy"]), pools["heavy"].task_sums(pools["heavy"].X * pools["heavy"].y[:, None])[..., None])[..., 0],
                                                             own_clean)
est["capped mean, clean tasks left in the component (selection)"] = wls(A, beta, kept_clean)
est["capped mean, all assigned (no filter)"] = wls(A, beta, idx)
est["capped mean, assigned minus corrupted"] = wls(A, beta, idx[~mask[idx]])
for kname, v in est.items():
    dv = v - w
    print(f"  {kname:60s} ||.-w||/s {np.linalg.norm(dv) / s:.4f}")
dH = W_h[:, c] - w
print(f"  anchor W_H                                                   ||.-w||/s {np.linalg.norm(dH) / s:.4f}")
u = dH / np.linalg.norm(dH)
for kname, v in est.items():
    print(f"  along the anchor's error direction: {kname:55s} {(v - w) @ u / s:+.4f}")
print(f"  final W_ err (this comp) {np.linalg.norm(m.W_[:, c] - w) / s:.4f}")
np.savez(f"{OUT}/decompose_s{seed}.npz", labels=labels, mask=mask, beta=beta,
         W_h=W_h, w=w, c=c, j=j)
# contributions to the capped weighted mean: G⁻¹ Σ Ã_i(β_i − w) over corrupted / clean kept
At, _ = H._capped_weights(A, np.ones(len(A), bool))
G = At[idx].sum(0)
bad_i, good_i = idx[mask[idx]], idx[~mask[idx]]
for name, sub in (("corrupted", bad_i), ("clean kept", good_i)):
    contrib = np.linalg.solve(G, np.einsum("nij,nj->i", At[sub], beta[sub] - w))
    print(f"  contribution of {name:10s}: ||.||/s {np.linalg.norm(contrib) / s:.4f}, along error "
          f"{contrib @ u / s:+.4f}; weight share tr {np.trace(At[sub].sum(0)) / np.trace(G):.3f} "
          f"(count share {sub.size / idx.size:.3f})")
lam = np.linalg.eigvalsh(A[good_i])
cap = float(np.median(np.trace(A[idx], axis1=1, axis2=2))) / A.shape[1]
print(f"  cap {cap:.1f}; clean tasks' mean capped eigenvalue / cap "
      f"{np.minimum(lam, cap).mean() / cap:.3f}; corrupted tasks' eigenvalues / cap "
      f"{np.linalg.eigvalsh(A[bad_i]).mean() / cap:.3f}")
# the same tasks with uncapped (least-squares) weights
for name, Wt in (("least-squares weights A_i", A), ("capped weights", At)):
    v = np.linalg.solve(Wt[idx].sum(0), np.einsum("nij,nj->i", Wt[idx], beta[idx]))
    print(f"  mean of the assigned tasks with {name:28s}: ||.-w||/s {np.linalg.norm(v - w) / s:.4f}")
np.savez(f"{OUT}/anchor_inputs_s{seed}.npz", X=heavy.X, y=heavy.y,
         offsets=heavy.offsets, labels=labels, target=CAP["target"], mask=mask, W=theta.W,
         s=theta.s, W_light=m.diagnostics_["regression"]["anchor"]["W_light"])
