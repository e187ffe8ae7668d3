"""Mallows weights on clean data when the rows' labels come from a
classification by y: tasks of two components (t examples each, noise s = 1)
labelled by the smaller residual sum of squares under the true W. The
least squares and the Mallows-weighted least squares (weights
min(1, a²/(x·e)²) along e = the unit vector of w0 − w1) of component 0 on
its labelled rows, their error along e and across it. A large n: the
differences are systematic, not noise."""
import numpy as np

rng = np.random.default_rng(0)
d, n, t, gap = 4, 400_000, 2, 1.5
w = np.zeros((2, d))
w[1, 0] = gap                                     # w1 - w0 along the first axis
comp = rng.integers(0, 2, n)
X = rng.standard_normal((n, t, d))
y = np.einsum("ntd,nd->nt", X, w[comp]) + rng.standard_normal((n, t))
rss = np.stack([((y - X @ w[k]) ** 2).sum(axis=1) for k in range(2)], axis=1)
lab = rss.argmin(axis=1)
print(f"d {d}, t {t}, |w1 - w0| {gap} s: misclassified share {np.mean(lab != comp):.3f}")
Xs, ys = X[lab == 0].reshape(-1, d), y[lab == 0].ravel()
z = Xs[:, 0]
Xo = X[lab == 1].reshape(-1, d)
print(f"second moment along e: component 0 {np.mean(z ** 2):.3f}, component 1 "
      f"{np.mean(Xo[:, 0] ** 2):.3f}; across e {np.mean(Xs[:, 1] ** 2):.3f}")
for a in (None, 2.85, 2.0, 1.25):
    m = np.ones_like(z) if a is None else np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
    west = np.linalg.solve((Xs * m[:, None]).T @ Xs, (Xs * m[:, None]).T @ ys)
    print(f"reach {a}: error along e {west[0]:+.4f}, across e {np.abs(west[1:]).max():.4f} "
          f"(se ≈ {1 / np.sqrt(z.size):.4f})")
# e ⊥ w1 − w0 (the second axis): the labels do not depend on x·e
z = Xs[:, 1]
for a in (None, 2.0, 1.25):
    m = np.ones_like(z) if a is None else np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
    west = np.linalg.solve((Xs * m[:, None]).T @ Xs, (Xs * m[:, None]).T @ ys)
    print(f"e ⊥ w1 - w0, reach {a}: error along w1 - w0 {west[0]:+.4f}, along e {west[1]:+.4f}")
