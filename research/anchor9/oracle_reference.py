"""A finite-sample reference for the heavy estimate under the selection
attack: what a location that *knows* the attacked direction u would give.

On the default problem (seeds 0-4), for the component with the fewest heavy
tasks (the one the red teams attack), u is the direction of the clean
heavy mean's own error (white box, as `anchor_leak` with direction="error").
The adversary replaces the ⌊αn_H⌋ fits lying furthest against u by fits at
a common position x along u (x scanned from 0 to 8 clean sds); printed, in
units of s, the worst over x of the oracle: the clean mean across u and,
along u, the weighted median of the fits' coordinates (weights 1/σ_i, σ_i
their clean sd along u) — beside the clean mean's error and the heavy
pool's two-point floor at the component's share (its limit as n grows). The oracle is not an estimator (it is told u); it shows
how much of the measured heavy error a one-dimensional robust location
along the right direction would leave.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/anchor9/oracle_reference.py
"""
import numpy as np

from robust_mlr.generator import default_problem
from robust_mlr.limits import two_point_floor

ALPHA = 0.05


def weighted_median(x, w):
    o = np.argsort(x)
    c = np.cumsum(w[o])
    return float(x[o][np.searchsorted(c, c[-1] / 2)])


def main():
    print("seed  tasks  clean error  oracle median (worst)  two-point floor")
    for seed in range(5):
        theta, pools = default_problem(rng=seed)
        H = pools.heavy
        n, t, d = H.n_tasks, int(H.sizes[0]), H.dim
        X, y = H.X.reshape(n, t, d), H.y.reshape(n, t)
        A = np.einsum("ntd,nte->nde", X, X)
        beta = np.linalg.solve(A, np.einsum("ntd,nt->nd", X, y)[..., None])[..., 0]
        comps = H.components
        a = int(np.argmin(np.bincount(comps, minlength=theta.k)))
        own = np.flatnonzero(comps == a)
        s, w = float(np.asarray(theta.s, float).reshape(-1)[a % np.size(theta.s)]), theta.W[:, a]
        Ai = A[own]
        G = Ai.sum(axis=0)
        mean = np.linalg.solve(G, np.einsum("nde,ne->d", Ai, beta[own]))
        err = (mean - w) / s
        u = err / np.linalg.norm(err)
        p = (beta[own] - w) @ u / s                            # positions along u, units of s
        sig = np.sqrt(np.einsum("d,nde,e->n", u, np.linalg.inv(Ai), u))
        b = int(np.floor(ALPHA * n))
        keep = np.argsort(p)[b:]
        worst_med = 0.0
        for x in np.linspace(0, 8, 161):
            pos = np.concatenate([p[keep], np.full(b, x * np.median(sig))])
            sg = np.concatenate([sig[keep], np.full(b, np.median(sig))])
            worst_med = max(worst_med, weighted_median(pos, 1 / sg))
        floor = two_point_floor(t, own.size / n, ALPHA)
        print(f"{seed:4d}  {own.size:5d}  {np.linalg.norm(err):11.3f}  {worst_med:21.3f}  "
              f"{floor:15.3f}")


if __name__ == "__main__":
    main()
