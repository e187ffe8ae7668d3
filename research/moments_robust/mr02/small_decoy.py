"""mr02: a small problem for the test (d 16, k 2, 4 000 tasks × 16, true
labels): lever rows along u in 5 % of the tasks (component 0), with or
without decoy pairs x, −x spread over every direction ⊥ span(W), u.
Prints the shift along u (in s) of filter_components' refit.

    PYTHONPATH=<code> python3 research/moments_robust/mr02/small_decoy.py
"""
import sys

import numpy as np

from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression import filter_components


def corrupt(theta, data, frac, rows, lever, resid, npairs, a, r, seed):
    rng = np.random.default_rng(seed)
    d = theta.d
    B = np.linalg.qr(np.column_stack([theta.W, rng.standard_normal((d, d))]))[0]
    u, V = B[:, theta.k], B[:, theta.k + 1:]
    X, y = data.X.copy(), data.y.copy()
    w, s = theta.W[:, 0], float(theta.s[0])
    tasks = np.flatnonzero(data.components == 0)[:int(frac * data.n_tasks)]
    j = 0
    for i in tasks:                          # research script: a loop is fine here
        o = data.offsets[i]
        for q in range(rows):
            g = rng.standard_normal(d)
            x = g - (g @ u) * u + lever * u
            X[o + q], y[o + q] = x, x @ w + resid * s
        for p in range(npairs):
            g = rng.standard_normal(d)
            g -= B[:, theta.k:] @ (B[:, theta.k:].T @ g)
            x = g + a * V[:, j % V.shape[1]]
            b = rng.choice([-1.0, 1.0])
            X[o + rows + 2 * p], y[o + rows + 2 * p] = x, x @ w + r * s * b
            X[o + rows + 2 * p + 1], y[o + rows + 2 * p + 1] = -x, -x @ w + r * s * b
            j += 1
    return u, type(data)(X, y, data.offsets, components=data.components)


def main():
    theta = make_params(16, 2, rng=0)
    data = make_tasks(theta, 4000, 16, rng=1)
    grid = [(rows, lever, npairs) for rows in (3, 4) for lever in (3.4, 3.8, 4.2)
            for npairs in (0, 6)]
    if len(sys.argv) > 1:
        grid = [tuple(float(v) for v in a.split(",")) for a in sys.argv[1:]]
    for rows, lever, npairs in grid:
        rows, npairs = int(rows), int(npairs)
        if True:
            u, bad = corrupt(theta, data, 0.05, rows, lever, 2.0, npairs, 8.0, 1.5, 2)
            W, s2, _, info = filter_components(bad, bad.components, 2, alpha=0.05, rng=0)
            sh = float((W[:, 0] - theta.W[:, 0]) @ u / theta.s[0])
            print(f"rows {rows} pairs {npairs} lever {lever} shift {sh:.4f} passed {info['passed']} "
                  f"spikes {info['example_clip']['spikes']} "
                  f"tests {np.round(info['example_clip']['clipped_test'], 2).tolist()} "
                  f"{np.round(info['example_clip']['score_test'], 2).tolist()} "
                  f"agree {info['refit_agrees']}", flush=True)


if __name__ == "__main__":
    main()
