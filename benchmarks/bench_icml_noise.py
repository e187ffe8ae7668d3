"""The ICML learner's ŝ² after hard classification, beside the robust
learner's: mean relative error over the components on the default problem
(d = 32, k = 4) with light-2 tasks of t = 4 and t = 8, three seeds each.

Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_icml_noise.py`` (about a minute).

A light task goes to the component whose fit leaves it the smallest
residuals (ICML 2020, Algorithm 4), so the tasks a component keeps are
those whose noise happened to fit it best, and the residual variance of
its least-squares refit is biased low; with few examples a task the bias
is large. The robust learner pools its light estimate with the heavy
tasks' noise levels (or, with no heavy check, refits them with posterior
weights), which removes it.
"""

import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools


def main():
    for t2 in (4, 8):
        for seed in range(3):
            theta = make_params(d=32, k=4, rng=seed)
            pools = make_pools(theta, 20000, 2, 400, 128, 20000, t2, rng=seed + 10)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                icml = MetaLearner.icml(4, rng=0).fit(pools)
                robust = MetaLearner.robust(4, 0.01, rng=0).fit(pools)

            def rel(s2):
                return float(np.mean(s2 / theta.s ** 2 - 1))

            print(f"t_L2 {t2} seed {seed}: ICML mean relative ŝ² error {rel(icml.s2_):+.3f}, "
                  f"robust {rel(robust.s2_):+.3f}")


if __name__ == "__main__":
    main()
