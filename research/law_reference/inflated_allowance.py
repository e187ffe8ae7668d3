"""Clean fits: how many directions of each component's per-example moment
count as inflated (beyond the threshold times its median eigenvalue), and
the share of the component's weight the refit's density weights take along
its spike directions (``example_clip.excess``), over sizes and seeds; plus
the top/median eigenvalue ratio of a clean r²-weighted sample moment against
the allowance (:func:`inflated_edge` where the code has it).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/law_reference/inflated_allowance.py
"""
import numpy as np

from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression import _clipped_test, filter_components
from robust_mlr.stages.regression._passes import first_round
from robust_mlr.threat import size_cap

edge = getattr(_clipped_test, "inflated_edge", None)


def allowance(d, rows):
    return _clipped_test.INFLATED if edge is None else edge(d, rows)


def moment_ratio(d, N, reps, rng):
    """Top over median eigenvalue of (1/N) Σ z_j² x_j x_jᵀ, z, x standard normal."""
    out = []
    for _ in range(reps):
        X = rng.standard_normal((N, d)) * rng.standard_normal(N)[:, None]
        lam = np.linalg.eigvalsh(X.T @ X / N)
        out.append(lam[-1] / np.median(lam))
    return np.array(out)


def main():
    rng = np.random.default_rng(0)
    print("sample moment: d N  mean q90 max of top/median (40 draws) | threshold")
    for d, N in [(16, 1000), (20, 1500), (20, 3000), (32, 5000), (64, 10000), (64, 32000),
                 (64, 43000)]:
        r = moment_ratio(d, N, 40 if N < 20000 else 12, rng)
        print(f"  d {d:3d} N {N:6d}  {r.mean():.3f} {np.quantile(r, 0.9):.3f} {r.max():.3f}"
              f" | {allowance(d, N):.4f}")
    print("clean stage: d k n t seed | inflated per component | excess share per component")
    for d, k, n, t in [(20, 4, 1500, 8), (20, 4, 1500, 16), (32, 4, 4000, 8), (64, 8, 20000, 16)]:
        for seed in range(4 if d < 64 else 1):
            theta = make_params(d, k, rng=seed)
            data = make_tasks(theta, n, t, rng=seed + 10)
            lab = data.components
            t_cap = size_cap(data.sizes)
            _, ok, _, _, _, first = first_round(data, lab, k, t_cap, statistics=True)
            rows = np.bincount(lab, weights=data.sizes.astype(float), minlength=k)
            counts = []
            for c in range(k):
                lam = np.linalg.eigvalsh(first["example_moments"][c])
                counts.append(int((lam > allowance(d, rows[c]) * np.median(lam)).sum()))
            _, _, _, info = filter_components(data, lab, k, alpha=0.05, rng=seed)
            ex = [round(float(sum(e)), 4) for e in info["example_clip"]["excess"]]
            print(f"  d {d} k {k} n {n} t {t} seed {seed} | rows {int(rows.min())}-"
                  f"{int(rows.max())} thr {allowance(d, rows.min()):.3f} | inflated {counts}"
                  f" | excess {ex} | clipped {info['example_clip']['clipped_test']}", flush=True)


if __name__ == "__main__":
    main()
