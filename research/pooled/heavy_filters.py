"""Which robust estimate of a component from its heavy tasks: the task filter
of the light pool (trace-based Marchenko-Pastur edge, robust_mlr's
filter_regression) or the whitened filter of per-task fits with known noise
covariance (the anchor's)?  floor(alpha n_H) heavy tasks of component 0
replaced by tasks at w0 + delta*s*u (u orthogonal to W): Gaussian designs and
noise ("noisy") or noise-free tasks whose designs have u as an exact
eigenvector of X^T X ("exact", all scores equal).  Prints the shift of each
estimate along u and its error, in units of s.

    PYTHONPATH=$PWD python3 research/pooled/heavy_filters.py ALPHA SEED
"""
import sys

import numpy as np

from robust_mlr import MetaDataset, make_params, make_tasks
from robust_mlr.stages.regression import FilterRegression, filter_regression
from robust_mlr.threat import ThreatModel, excess_limit

alpha, seed = float(sys.argv[1]), int(sys.argv[2])
d, k, nh, th = 32, 4, 400, 128
theta = make_params(d, k, rng=[seed, 1])
light = make_tasks(theta, 20000, 8, rng=[seed, 2])
heavy = make_tasks(theta, nh, th, rng=[seed, 3])
rng = np.random.default_rng([seed, 4])
Q, _ = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal(d)]))
u, w0, s = Q[:, k], theta.W[:, 0], theta.s[0]
b = int(np.floor(alpha * nh))
idx = np.flatnonzero(heavy.components == 0)[:b]
X0, y0 = heavy.X.reshape(nh, th, d), heavy.y.reshape(nh, th)


def exact_designs():
    G = rng.standard_normal((b, th, d))
    G -= (G @ u)[..., None] * u
    a = rng.standard_normal((b, th))
    a *= np.sqrt(th) / np.linalg.norm(a, axis=1, keepdims=True)
    an = a / np.sqrt(th)
    G -= an[..., None] * np.einsum("nt,ntd->nd", an, G)[:, None, :]
    return G + a[..., None] * u


for kind in ("noisy", "exact"):
    for delta in (0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0):
        X, y = X0.copy(), y0.copy()
        if delta > 0:
            X[idx] = rng.standard_normal((b, th, d)) if kind == "noisy" else exact_designs()
            y[idx] = X[idx] @ (w0 + delta * s * u)
            if kind == "noisy":
                y[idx] += s * rng.standard_normal((b, th))
        bad = MetaDataset(X.reshape(-1, d), y.reshape(-1), heavy.offsets, heavy.components)
        st = FilterRegression().fit(light, light.components, k, heavy=bad,
                                    threat=ThreatModel(alpha), rng=seed)
        wh = st.info_["anchor"]["W_heavy"][:, 0]
        comp0 = bad.subset(np.flatnonzero(heavy.components == 0))
        wf, _, kept, info = filter_regression(comp0, alpha, rng=seed,
                                              budget=excess_limit(alpha, nh))
        print(f"{kind} delta {delta:.1f} | whitened: along u {(wh - w0) @ u / s:+.3f} "
              f"err {np.linalg.norm(wh - w0) / s:.3f} removed "
              f"{st.info_['anchor']['heavy'][0]['removed']:2d} | trace filter: along u "
              f"{(wf - w0) @ u / s:+.3f} err {np.linalg.norm(wf - w0) / s:.3f} removed "
              f"{info['removed']:2d}", flush=True)
