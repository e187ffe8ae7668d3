"""What an adversary task can add along u and still escape the second trim: the
score of the ⌊αn⌋-th task kept out (the trim's threshold) with r = 1 (top
eigenvector) and r = 4 (max over the top four). Clean default-problem light 2
pool (equal sizes 8 and sizes 2-64), true labels, α = 0.05, capped rows as
capped_grams (τ its quantile); the threshold in units of the mean clean score
along v_1."""
import numpy as np
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr.stages.regression._pull_trim import capped_grams, top_directions
from robust_mlr.stages.regression._misclass import example_weights

for sizes in ("fixed", "hetero"):
    for seed in range(2):
        theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
        data = pools.light2
        labels = data.components
        k, n = theta.k, data.n_tasks
        gram, tau = capped_grams(data, labels, k, 0.05)
        n_top = int(np.floor(0.05 * n))
        c = example_weights(data, True)
        X, off = data.X, data.offsets
        sq = np.einsum("ij,ij->i", X, X)
        rw = np.repeat(c, data.sizes) * np.minimum(1.0, tau / sq)
        task = np.repeat(np.arange(n), data.sizes)
        out = []
        for comp in range(k):
            V = top_directions(gram[comp])
            mine = labels == comp
            s = np.stack([np.bincount(task, weights=rw * (X @ V[:, j]) ** 2, minlength=n)
                          for j in range(V.shape[1])])[:, mine]
            s1, s4 = s[-1], s.max(axis=0)               # top eigenvector; max over four
            th1 = np.sort(s1)[::-1][n_top - 1]
            th4 = np.sort(s4)[::-1][n_top - 1]
            out.append((th1 / s1.mean(), th4 / s1.mean(), th4 / th1, mine.sum()))
        print(f"{sizes} seed {seed}: n_top {n_top}; per comp (threshold r=1, r=4 in mean clean "
              f"scores along v1; ratio r4/r1; tasks) "
              + "; ".join(f"{a:.2f} {b:.2f} {r:.2f} {m}" for a, b, r, m in out), flush=True)
