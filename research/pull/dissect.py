"""The attacked component's heavy fits along the direction u of the heavy
estimate's error, in clean standard deviations of each fit along u:
the clean tasks left, the replaced ones, and the pool before the attack.

    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 \
        python3 research/pull/dissect.py SIZES ALPHA 'STRATEGY JSON'
"""
import json, sys, warnings
import numpy as np
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem
from scipy.optimize import linear_sum_assignment
sizes, alpha, strat = sys.argv[1], float(sys.argv[2]), sys.argv[3]
theta, pools = build_problem("default", sizes, 0)
warnings.simplefilter("ignore")
clean = MetaLearner.robust(theta.k, alpha, rng=0).fit(pools)
settings = attack_settings(clean, alpha)
att = strategy_attack({p: tuple(v) for p, v in json.loads(strat).items()})
bad = corrupt_pools(pools, att, alpha, theta=theta, settings=settings, rng=np.random.default_rng([0, 17, 0]))
m = MetaLearner.robust(theta.k, alpha, rng=0).fit(bad)
anc = m.diagnostics_["regression"]["anchor"]
W = m.W_
cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
r, c = linear_sum_assignment(cost); match = dict(zip(c, r))
per = [np.linalg.norm(W[:, match[j]] - theta.W[:, j]) / theta.s[j] for j in range(theta.k)]
j = int(np.argmax(per)); ell = match[j]; w = theta.W[:, j]; s = theta.s[j]
eH = anc["W_heavy"][:, ell] - w; u = eH / np.linalg.norm(eH)
print("comp", j, "final", round(per[j], 4), "heavy", round(np.linalg.norm(eH) / s, 4))
H = bad["heavy"]; mask = bad.masks["heavy"]; comps = H.components
sel = np.flatnonzero((comps == j) | mask)   # the component's clean tasks and all replaced tasks
P, R, Zperp = [], [], []
for i in sel:
    X, y = H.task(i)
    A = X.T @ X
    beta = np.linalg.solve(A, X.T @ y)
    Ainv_u = np.linalg.solve(A, u)
    P.append(u @ (beta - w) / (s * np.sqrt(u @ Ainv_u)))
P = np.array(P); rep = mask[sel]
# are replaced tasks assigned to this component? approximate: those within reach
print("clean tasks", (~rep).sum(), "replaced", rep.sum())
pc = P[~rep]
print("clean along u: mean %.3f median %.3f var %.3f  min %.2f max %.2f" % (pc.mean(), np.median(pc), pc.var(), pc.min(), pc.max()))
print("replaced along u:", np.round(np.sort(P[rep]), 2))
# the 'would-be' all-clean sample: original pool
H0 = pools["heavy"]; c0 = np.flatnonzero(H0.components == j)
P0 = []
for i in c0:
    X, y = H0.task(i); A = X.T @ X; beta = np.linalg.solve(A, X.T @ y)
    P0.append(u @ (beta - w) / (s * np.sqrt(u @ np.linalg.solve(A, u))))
P0 = np.array(P0)
print("original clean along u: n %d mean %.3f median %.3f var %.3f" % (len(P0), P0.mean(), np.median(P0), P0.var()))
print("sorted original:", np.round(np.sort(P0)[:25], 2))
print("sel quantiles of corrupted comp sample:", np.round(np.quantile(P, [.1,.25,.5,.75,.9]), 2), "mean", round(P.mean(), 3), "var", round(P.var(), 3))
