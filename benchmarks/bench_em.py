"""EM heavy-task clustering against the moment estimator: centre error and time.

Problem: k = 8, d = 64, W orthonormal, s = 0.5 before the scale convention
(``make_params``: ρ = max_ℓ (s_ℓ² + ‖w_ℓ‖²)^{1/2} = 1, so s ≈ 0.447 and
‖w_ℓ‖ ≈ 0.894), uniform weights; heavy tasks from ``make_pools``. Both methods get the true
subspace U = span W, so the table measures the clustering stage alone.

Printed, per t_H and n_H, over ``seeds`` draws (mean and max):

* ``em`` — :func:`~robust_mlr.stages.clustering.em_clustering` (``"auto"``:
  the moment start where t_H ≥ 3 and 10 k-means++ restarts, best likelihood);
* ``moments`` — :func:`~robust_mlr.stages.clustering.moment_clustering`
  (t_H ≥ 3 only);
* ``oracle`` — least squares in U per true component (true labels), for scale;

the centre error max_ℓ ‖ŵ_ℓ − w_ℓ‖ / s_ℓ after Hungarian matching
(:func:`robust_mlr.metrics.parameter_errors`) and the wall time of each call.
Target: EM centre error ≤ 0.2 at n_H ≤ 5·10³ (t_H = 4), and a working
estimator at t_H = 2.

Then, at t_H = 4, n_H = 5000, α = 0.05, the first ⌈αn⌉ heavy tasks replaced
by three attacks (``replace_tasks``): plain EM, robust EM and robust moments
with the centre error, the time and how many replaced / clean tasks each
flags as outliers. With ``--catalogue`` (≈ 2 more minutes) every attack of
the adversary module on the heavy pool at the same size.
Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_em.py [--catalogue]`` (≈ 2 min).
"""

import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaDataset, make_params, make_pools
from robust_mlr.adversary import ATTACKS, corrupt_pools
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.clustering import (em_clustering, moment_clustering, robust_em_clustering,
                                          robust_moment_clustering)


def oracle(heavy, U, k):
    """Per-component least squares in the basis U on the true labels."""
    Z, comp = heavy.X @ U, heavy.components[heavy.task_index]
    W, s2 = np.empty((U.shape[0], k)), np.empty(k)
    for ell in range(k):
        beta, rss, *_ = np.linalg.lstsq(Z[comp == ell], heavy.y[comp == ell], rcond=None)
        W[:, ell], s2[ell] = U @ beta, rss[0] / np.sum(comp == ell)
    return W, s2, np.bincount(heavy.components, minlength=k) / heavy.n_tasks


def timed(fn):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn()
    return out, time.perf_counter() - t0


def main(k=8, d=64, s=0.5, t_values=(4, 2), n_values=(1000, 2000, 5000, 20000), seeds=3):
    print(f"k={k}, d={d}, s={s} (before scaling), W orthonormal, true subspace; "
          f"{seeds} seeds: centre error mean / max, time mean")
    print(f"{'t_H':>3} {'n_H':>6} | {'em err':>13} {'em s':>6} | {'moments err':>13} "
          f"{'mom s':>6} | {'oracle err':>13}")
    for t in t_values:
        for n in n_values:
            rows = {"em": [], "moments": [], "oracle": []}
            for seed in range(seeds):
                theta = make_params(d, k, W="orthonormal", s=s, rng=seed)
                heavy = make_pools(theta, 10, 2, n, t, 10, 2, rng=100 + seed).heavy
                U = np.linalg.qr(theta.W)[0]
                res, sec = timed(lambda: em_clustering(heavy, U, k, rng=seed))
                rows["em"].append((parameter_errors(*res.info["estimates"], theta)["w_err"],
                                   sec))
                if t >= 3:
                    res, sec = timed(lambda: moment_clustering(heavy, U, k, rng=seed))
                    rows["moments"].append(
                        (parameter_errors(*res.info["estimates"], theta)["w_err"], sec))
                rows["oracle"].append((parameter_errors(*oracle(heavy, U, k), theta)["w_err"],
                                       0.0))

            def cell(name):
                if not rows[name]:
                    return f"{'-':>13} {'-':>6}"
                err, sec = np.array(rows[name]).T
                return f"{err.mean():6.3f}/{err.max():6.3f} {sec.mean():6.2f}"
            print(f"{t:>3} {n:>6} | {cell('em')} | {cell('moments')} | {cell('oracle')[:13]}")


def replace_tasks(heavy, theta, kind, m, rng):
    """The first m tasks replaced: a regression vector 10× farther than any
    true one (``far``), pure noise of standard deviation 30 (``noise``), or a
    tight noiseless cluster at w_0 + w_1 (``tight``)."""
    X, y = heavy.X, heavy.y.copy()
    rows = slice(0, heavy.offsets[m])
    if kind == "far":
        y[rows] = X[rows] @ (10 * theta.W @ rng.standard_normal(theta.k) / np.sqrt(theta.k))
    elif kind == "noise":
        y[rows] = 30 * rng.standard_normal(heavy.offsets[m])
    elif kind == "tight":
        y[rows] = X[rows] @ (theta.W[:, 0] + theta.W[:, 1])
    return MetaDataset(X, y, heavy.offsets)


def attacks(k=8, d=64, s=0.5, t=4, n=5000, alpha=0.05, seed=0):
    """Plain EM, robust EM and robust moments when ⌈αn⌉ heavy tasks are replaced."""
    theta = make_params(d, k, W="orthonormal", s=s, rng=seed)
    heavy = make_pools(theta, 10, 2, n, t, 10, 2, rng=100 + seed).heavy
    U, m = np.linalg.qr(theta.W)[0], int(np.ceil(alpha * n))
    print(f"\nattacks: first {m} of n_H={n} tasks replaced (alpha={alpha}), t_H={t}; "
          f"centre error (time s) [replaced tasks flagged / clean tasks flagged]")
    methods = (("em", lambda D: em_clustering(D, U, k, rng=seed)),
               ("em_robust", lambda D: robust_em_clustering(D, U, k, alpha=alpha, rng=seed)),
               ("moments_robust", lambda D: robust_moment_clustering(D, U, k, alpha=alpha,
                                                                     rng=seed)))
    for kind in ("none", "far", "noise", "tight"):
        data = heavy if kind == "none" else replace_tasks(heavy, theta, kind, m,
                                                          np.random.default_rng(seed))
        cells = []
        for name, fn in methods:
            res, sec = timed(lambda: fn(data))
            err = parameter_errors(*res.info["estimates"], theta)["w_err"]
            out = res.outliers
            cells.append(f"{name} {err:7.3f} ({sec:4.1f}) [{out[:m].sum():3d}/{out[m:].sum():3d}]")
        print(f"{kind:>5}: " + " | ".join(cells))


def catalogue(k=8, d=64, s=0.5, t=4, n=5000, alpha=0.05, seed=0):
    """Every attack of :data:`robust_mlr.adversary.ATTACKS` on the heavy pool
    (⌊αn⌋ tasks, the attacks' default settings, the budget α known to them)."""
    theta = make_params(d, k, W="orthonormal", s=s, rng=seed)
    pools = make_pools(theta, 10, 2, n, t, 10, 2, rng=100 + seed)
    U = np.linalg.qr(theta.W)[0]
    print(f"\nadversary catalogue on the heavy pool, n_H={n}, t_H={t}, alpha={alpha}; "
          f"centre error [replaced / clean tasks flagged]")
    methods = (("em", lambda D: em_clustering(D, U, k, n_init=5, rng=seed)),
               ("em_robust", lambda D: robust_em_clustering(D, U, k, alpha=alpha, n_init=5,
                                                            rng=seed)),
               ("moments_robust", lambda D: robust_moment_clustering(D, U, k, alpha=alpha,
                                                                     rng=seed)))
    for name in sorted(ATTACKS):
        bad = corrupt_pools(pools, name, alpha, theta=theta, settings={"alpha": alpha},
                            targets=("heavy",), rng=seed + 1)
        data, mask = bad.heavy, bad.masks["heavy"]
        cells = []
        for method, fn in methods:
            try:
                res, _ = timed(lambda: fn(data))
            except ValueError as exc:          # a stated requirement not met (e.g. overflow)
                cells.append(f"{method} {'error':>7} ({type(exc).__name__})")
                continue
            err = parameter_errors(*res.info["estimates"], theta)["w_err"]
            out = res.outliers
            cells.append(f"{method} {err:7.3f} [{out[mask].sum():3d}/{out[~mask].sum():3d}]")
        print(f"{name:>18}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
    attacks()
    if "--catalogue" in sys.argv:
        catalogue()
