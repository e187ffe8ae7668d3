"""Two-point floors under replacement contamination (``robust_mlr.limits``).

Prints the table of docs/adversary.md ("What no estimator can do"): the
floors of max‖ŵ − w‖/s, of the relative ŝ² error and of |p̂ − p| per pool and
for all pools, on the default problem (k = 4, p = 1/4, orthonormal W so
‖w_a − w_b‖/s = √2; light 1 t = 2, heavy t = 128, light 2 t = 8), plus the
light pools with the adaptive study's heterogeneous sizes (truncated Pareto,
t 2–64, shape 1.2; its exact law, weighted to 1 part in 10⁶), and the
small-t_H problem (p = 1/8, light 2 t = 16, heavy t = 4). Seconds.

    python3 benchmarks/bench_limits.py
"""

from __future__ import annotations

import numpy as np

from robust_mlr.limits import pool_floors, two_point_floor


def pareto_sizes(t_min=2, t_max=64, shape=1.2, scale=10 ** 6):
    """The law of ``experiments.adaptive.heavy_tailed_sizes`` as a sample whose
    size frequencies equal its probabilities to 1 part in ``scale``:
    P(t ≥ j) = (t_min / j)^shape for t_min ≤ j ≤ t_max."""
    j = np.arange(t_min, t_max + 1)
    tail = (t_min / j.astype(float)) ** shape
    pmf = tail - np.append(tail[1:], 0.0)
    return np.repeat(j, np.round(pmf * scale).astype(np.int64))


def main():
    sep = np.sqrt(2.0)
    hetero = pareto_sizes()
    print("default problem: estimate | alpha | light1 (t 2) | light2 (t 8) | heavy (t 128) | "
          "all pools | light, heterogeneous sizes")
    for est in ("w", "s2", "p"):
        for a in (0.01, 0.02, 0.05, 0.1):
            f = pool_floors(a, {"light1": 2, "light2": 8, "heavy": 128}, 0.25, sep)[est]
            h = two_point_floor(hetero, 0.25, a, est, sep)
            print(f"{est} | {a} | {f['light1']:.3f} | {f['light2']:.3f} | {f['heavy']:.4f} | "
                  f"{f['best']:.4f} | {h:.3f}")
    a, t = 0.05, np.sqrt(2 * np.pi) * 0.05 * 4
    print(f"small-shift expansion sqrt(2 pi) k alpha / sqrt(t) at alpha = {a}: "
          f"light2 {t / np.sqrt(8):.3f}, heavy {t / np.sqrt(128):.4f}")
    print("\nsmall-t_H problem (p = 1/8): estimate | alpha | light2 (t 16) | heavy (t 4)")
    for a in (0.01, 0.02, 0.05):
        f = pool_floors(a, {"light2": 16, "heavy": 4}, 1 / 8, sep)
        print(f"w | {a} | {f['w']['light2']:.3f} | {f['w']['heavy']:.3f}")


if __name__ == "__main__":
    main()
