"""Winsorised excess Rw (top ā capped at the 1 − ā quantile) along U and the
Gaussian reference grid; clean laws and attacked Gaussian pools."""
import sys
import numpy as np
sys.path.insert(0, "research/calib18")
from capture import captured
from robust_mlr.stages.subspace.robust import _statistics
from robust_mlr.stages.subspace.robust_pca import relative_excess
from robust_mlr.stages.screening import excess_limit, size_cap
from robust_mlr._dist import chi2


def rw(tau, a):
    lo, hi = np.quantile(tau, [a, 1 - a])
    g = tau[(tau >= lo) & (tau <= hi)].mean()
    return (np.minimum(tau, hi).mean() - g) / g


def band(tau, a, b):
    lo_a, hi_a, lo_b, hi_b = np.quantile(tau, [a, 1 - a, b, 1 - b])
    ga = tau[(tau >= lo_a) & (tau <= hi_a)].mean()
    gb = tau[(tau >= lo_b) & (tau <= hi_b)].mean()
    return (ga - gb) / gb


shape = sys.argv[2]
attack = None if sys.argv[3] == "none" else sys.argv[3]
att_alpha = float(sys.argv[4])
for law in sys.argv[1].split(","):
    for seed in range(int(sys.argv[5]) if len(sys.argv) > 5 else 3):
        theta, box = captured(law, seed, shape, attack=attack, att_alpha=att_alpha)
        data, k = box["data"], box["k"]
        alpha = box["kw"]["alpha"]
        Z, q, M = _statistics(data, 2.0, size_cap(data.sizes), moment=True)
        n, d = Z.shape
        a = min(excess_limit(alpha, n) / n, 0.49)
        vals, vecs = np.linalg.eigh(Z.T @ Z / n)
        vecs = vecs[:, ::-1]
        c = chi2.ppf((np.arange(16) + 0.5) / 16, k)
        ref = (q[:, None] * c[None]).ravel()
        tau = ((Z @ vecs[:, :k]) ** 2).sum(1)
        r = [relative_excess(ref, a), rw(ref, a), band(ref, a, 4 * a)]
        t = [relative_excess(tau, a), rw(tau, a), band(tau, a, 4 * a)]
        print(f"{law:<10} {attack} {att_alpha} s{seed} a={a:.4f} R {t[0]:.3f}/{r[0]:.3f}={t[0]/r[0]:.2f}"
              f"  Rw {t[1]:.3f}/{r[1]:.3f}={t[1]/r[1]:.2f}  S {t[2]:.3f}/{r[2]:.3f}={t[2]/r[2]:.2f}"
              f"  removed={box['res'].info['n_removed']}", flush=True)
