"""Attacks on the robust moment estimator (``clustering="moments_robust"``):
d = 64, k = 8, light1 60000 x 2, heavy 20000 x 4, light2 20000 x 16.

    python3 research/moments_robust/attacks.py ALPHA SEED [ATTACK ...]

Attacks: clean; hspike_w / hspike_r (heavy tasks whose projected group
statistics are a spike g u plus isotropic noise, u along w_0 or a random
direction of span(W), RMS group norm just inside the 4x-median trim);
copies (heavy tasks of one repeated example, 3 groups); fake (a fake heavy
component); swap / cspike (light1 subspace_spike / covariate_spike: a
true direction swapped out of the subspace). CLUSTERING=em_robust (say)
attacks another clustering on the same problem.
"""
import os
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools
from robust_mlr.adversary._craft import statistic_examples
from robust_mlr.data import MetaDataset
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.generator import make_params, make_pools
from robust_mlr.metrics import parameter_errors


#: The clustering attacked (environment variable CLUSTERING overrides).
CLUSTERING = os.environ.get("CLUSTERING", "moments_robust")


def problem(seed):
    rng = np.random.default_rng([seed, 21])
    theta = make_params(64, 8, rng=rng)
    return theta, make_pools(theta, 60_000, 2, 20_000, 4, 20_000, 16, rng=rng)


def with_tasks(data, idx, X, y):
    n, t, d = data.n_tasks, int(data.sizes[0]), data.dim
    X3, Y2 = data.X.reshape(n, t, d).copy(), data.y.reshape(n, t).copy()
    X3[idx], Y2[idx] = X.reshape(idx.size, t, d), y.reshape(idx.size, t)
    comp = data.components.copy()
    comp[idx] = -1
    return MetaDataset(X3.reshape(n * t, d), Y2.reshape(n * t), data.offsets, comp)


def heavy_spike(theta, pools, alpha, rng, along):
    H = pools.heavy
    n, k = H.n_tasks, theta.k
    U = np.linalg.qr(theta.W)[0]
    b = H.y[:, None] * (H.X @ U)
    rms = np.sqrt(np.add.reduceat(np.sum(b ** 2, 1), H.offsets[:-1]) / H.sizes)
    g = 3.8 * np.median(rms) / np.sqrt(k)
    u = theta.W[:, 0] / np.linalg.norm(theta.W[:, 0]) if along == "w" else \
        U @ (lambda v: v / np.linalg.norm(v))(rng.standard_normal(k))
    idx = rng.choice(n, int(np.floor(alpha * n)), replace=False)
    T = np.tile(g * u, (idx.size, 1))
    X, y = statistic_examples(H.sizes[idx], T, T, rng)
    return pools.replace(heavy=with_tasks(H, idx, X, y))


def copies(theta, pools, alpha, rng):
    H = pools.heavy
    n, t, d = H.n_tasks, int(H.sizes[0]), H.dim
    idx = rng.choice(n, int(np.floor(alpha * n)), replace=False)
    grp = np.arange(idx.size) % 3
    x0, y0 = rng.standard_normal((3, d)), rng.standard_normal(3)
    X = np.repeat(x0[grp], t, axis=0)
    y = np.repeat(y0[grp], t)
    return pools.replace(heavy=with_tasks(H, idx, X, y))


def attacked(name, theta, pools, alpha, rng):
    if name == "clean":
        return pools
    if name in ("hspike_w", "hspike_r"):
        return heavy_spike(theta, pools, alpha, rng, name[-1])
    if name == "copies":
        return copies(theta, pools, alpha, rng)
    attack, target = {"fake": ("fake_cluster", "heavy"), "swap": ("subspace_spike", "light1"),
                      "cspike": ("covariate_spike", "light1")}[name]
    return corrupt_pools(pools, attack, alpha, theta=theta, targets=(target,), rng=rng)


def main():
    alpha, seed = float(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3:] or ["clean", "hspike_w", "hspike_r", "copies", "fake", "swap",
                             "cspike"]
    theta, pools = problem(seed)
    for name in names:
        bad = attacked(name, theta, pools, alpha, np.random.default_rng([seed, 5]))
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                m = MetaLearner.robust(8, alpha, clustering=CLUSTERING, rng=seed).fit(bad)
                e = parameter_errors(m.W_, m.s2_, m.p_, theta)
                err = f"w {e['w_err']:.3f} s2 {e['s2_err']:.3f} p {e['p_err']:.3f}"
                Wt = parameter_errors(m.W_tilde_, m.r2_tilde_, m.p_tilde_, theta)["w_err"]
                err += f" w_tilde {Wt:.3f}"
            except Exception as exc:  # noqa: BLE001 - every failure is recorded
                err = f"RAISED {type(exc).__name__}: {str(exc)[:90]}"
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        print(f"a{alpha} s{seed} {name:9s} {err} warned {int(warned)} "
              f"t {time.perf_counter() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
