"""An attack on the covariate calibration itself: ⌊αn⌋ light-1 tasks of two
examples x₁ = c u + b v + r₁, x₂ = −c u + b v + r₂, y₁ = y₂ = Y, u the
strongest true direction, v ⊥ span(W), r ~ N(0, I − uuᵀ − vvᵀ). Their task
statistic is a spike along v (z ∝ b v), their covariate statistic
x̃ = (x₁ − x₂)/√2 ≈ √2 c u sits far out along U, raising the covariate ratio
(and the filter's level) as far as αn points can. c = 0 is the plain spike.

    [RMLR_OLD=1] python3 lever_attack.py SHAPE LAW ALPHA SEEDS
"""
import os, sys, warnings
import numpy as np
sys.path.insert(0, "benchmarks")
from bench_covariate_laws import law_problem, QUICK, FULL
from robust_mlr import MetaLearner, MetaDataset, CorruptionWarning, metrics
from robust_mlr.stages.subspace import robust_pca

if os.environ.get("RMLR_OLD"):
    robust_pca.COVARIATE_MARGIN = float("inf")
TAG = "old" if os.environ.get("RMLR_OLD") else "new"
scales = []
orig = robust_pca._covariate_scale
def spy(*a):
    r = orig(*a)
    scales.append(r)
    return r
robust_pca._covariate_scale = spy

shape = dict(quick=QUICK, full=FULL)[sys.argv[1]]
law, alpha, seeds = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
d, k = shape["d"], shape["k"]
for seed in range(seeds):
    theta, pools, _ = law_problem(law, d, k, shape["sizes"], seed)
    L1 = pools.light1
    n = L1.n_tasks
    m = int(np.floor(alpha * n))
    rng = np.random.default_rng(seed + 11)
    a = int(np.argmax(theta.p * np.sum(theta.W ** 2, 0)))
    u = theta.W[:, a] / np.linalg.norm(theta.W[:, a])
    Q = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal((d, 1))]))[0]
    v = Q[:, k]
    Y = 3 * np.std(L1.y)
    for b in (2.0, 3.0, 4.0):
        for c in (0.0, 2.0, 3.0, 4.0):
            X, y = np.array(L1.X, copy=True), np.array(L1.y, copy=True)
            R = rng.standard_normal((2 * m, d))
            R -= np.outer(R @ u, u) + np.outer(R @ v, v)
            sign = np.tile([1.0, -1.0], m)
            X[:2 * m] = c * sign[:, None] * u + b * v + R
            y[:2 * m] = Y
            bad = pools.replace(light1=MetaDataset(X, y, L1.offsets))
            scales.clear()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = MetaLearner.robust(k, alpha, rng=seed).fit(bad)
            warned = any(issubclass(w.category, CorruptionWarning) for w in caught)
            dg = model.diagnostics_
            err = metrics.subspace_error(model.U_, theta)
            print(f"{TAG} {sys.argv[1]} {law} a={alpha} s{seed} b={b} c={c} screen "
                  f"{dg['screen']['light1']['n_removed']} sub {dg['subspace']['removed']}/"
                  f"{dg['subspace']['limit']} passed={dg['subspace'].get('passed')} warn={int(warned)} "
                  f"err={err:.4f} max_cov_scale={max(scales) if scales else float('nan'):.3f}",
                  flush=True)
