"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_gemv_subset.py"""
import numpy as np
rng = np.random.default_rng(0)
bad = 0
for trial in range(400):
    n = int(rng.integers(1, 20000)); d = 32
    X = rng.standard_normal((n, d)) * rng.uniform(0.1, 10)
    u = rng.standard_normal(d)
    rows = rng.random(n) < rng.uniform(0.05, 0.9)
    a = (X @ u)[rows]; b = np.compress(rows, X, axis=0) @ u
    bad += not np.array_equal(a, b)
print("mismatching trials", bad, "of 400")
