"""Null law of the 1-D median-mean gap along the spatial-median direction:
m standard normal fits in R^d (whitened), gap in clean standard errors
sqrt(pi/2-1)/sqrt(m); and along a fixed direction for comparison."""
import sys
import numpy as np

def spatial_median(Z, iters=100):
    c = np.median(Z, axis=0)
    for _ in range(iters):
        r = np.maximum(np.linalg.norm(Z - c, axis=1), 1e-12)
        c_new = (Z / r[:, None]).sum(0) / (1 / r).sum()
        if np.linalg.norm(c_new - c) < 1e-10:
            break
        c = c_new
    return c

rng = np.random.default_rng(0)
for m, d in ((88, 32), (100, 32), (117, 32), (40, 12), (200, 64)):
    g, g0 = [], []
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):
        Z = rng.standard_normal((m, d))
        mu = Z.mean(0)
        e = spatial_median(Z) - mu
        e /= np.linalg.norm(e)
        x = (Z - mu) @ e
        se = np.sqrt(np.pi / 2 - 1) / np.sqrt(m)
        g.append(abs(np.median(x)) / se)
        g0.append(abs(np.median((Z - mu)[:, 0])) / se)
    g, g0 = np.array(g), np.array(g0)
    print(f"m {m} d {d}: along spatial-median dir gap/se quantiles 0.5 {np.quantile(g,.5):.2f} "
          f"0.99 {np.quantile(g,.99):.2f} 0.999 {np.quantile(g,.999):.2f} max {g.max():.2f}; "
          f"fixed dir 0.999 {np.quantile(g0,.999):.2f}", flush=True)
