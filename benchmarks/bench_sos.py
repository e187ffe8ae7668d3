"""sos core timings.

1. Certified 4th-moment bound for n = 100 000 points in k = 10 dimensions,
   end to end (moment tensor + SDP), default solver SCS.
2. The same certificate at k = 6 (n = 2 000) with this package and with the
   peer SumOfSquares.py (picos + sympy + cvxopt), side by side, if installed.
3. The worked example of docs/sos.md: for x ~ N(0, I_k), n = 10⁵ (seed 0),
   the certified bound on E⟨x, v⟩⁴ (truth 3) against the flattening bound
   (≈ k + 2), k = 2, 6, 10.

Run: ``python3 benchmarks/bench_sos.py``.
"""

import time

import numpy as np

import sos


def ours(X, solver=None):
    t0 = time.perf_counter()
    cert = sos.certify_moment_bound(X, 4, solver=solver)
    return cert.bound, time.perf_counter() - t0


def peer(X):
    from sos.peer import sumofsquares_moment_bound
    t0 = time.perf_counter()
    bound = sumofsquares_moment_bound(X, 4)
    return bound, time.perf_counter() - t0


def worked_example():
    for k in (2, 6, 10):
        X = np.random.default_rng(0).standard_normal((100_000, k))
        cert = sos.certify_moment_bound(X, 4)
        print(f"worked example, x ~ N(0, I_{k}), n = 100000: SoS bound {cert.bound:.3f}, "
              f"flattening {sos.flattening_bound(X, 4):.2f} (truth 3)")


def main():
    X = np.random.default_rng(0).standard_normal((100_000, 10))
    bound, t = ours(X)
    print(f"certified 4th moment, n=100000 k=10, SCS: bound {bound:.4f} in {t:.2f} s "
          f"(data generation excluded)")
    X6 = np.random.default_rng(1).standard_normal((2000, 6))
    for solver in ("SCS", "CLARABEL"):
        b, t = ours(X6, solver)
        print(f"k=6 n=2000, robust-mlr sos ({solver}): bound {b:.6f} in {t:.3f} s")
    worked_example()
    try:
        b_p, t_p = peer(X6)
    except ImportError:
        print("SumOfSquares.py not installed: pip install sumofsquares (peer comparison skipped)")
        return
    b_c, t_c = ours(X6, "CLARABEL")
    print(f"k=6 n=2000, SumOfSquares.py (cvxopt): bound {b_p:.6f} in {t_p:.3f} s")
    print(f"speed-up vs SumOfSquares.py: {t_p / t_c:.1f}x (Clarabel), agreement "
          f"{abs(b_p - b_c) / abs(b_p):.1e} relative")


if __name__ == "__main__":
    main()
