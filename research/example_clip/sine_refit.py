"""The sine-wave problem (k = 8, 16 Chebyshev features, s = 0.5; pools
8 192 x 8 / 128 x 16 / 8 192 x 4), clean and under a 5 % fake cluster,
three seeds: the robust learner's Bayes prediction MSE over the oracle's,
with the regression filter's refit off (``example_clip=None``), the clip
alone (``leverage_cap=None``) and the default (clip and Mallows weights).

    PYTHONPATH=$PWD:experiments OMP_NUM_THREADS=1 python3 research/example_clip/sine_refit.py
"""
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_pools, make_tasks, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.stages.prediction import task_parameters
from robust_mlr.stages.regression import FilterRegression

from sine_wave import sine_params

SETTINGS = ((None, None), (1.5, None), (1.5, 4.0))


def main():
    theta = sine_params(8, 16, 0.5)
    for seed in range(3):
        for alpha in (0.0, 0.05):
            rng = np.random.default_rng(seed)
            pools = make_pools(theta, 8192, 8, 128, 16, 8192, 4, x_dist="polynomial", rng=rng)
            if alpha:
                pools = corrupt_pools(pools, "fake_cluster", alpha, theta=theta,
                                      settings={"alpha": alpha}, rng=rng)
            sup, Xq, yq = make_tasks(theta, 4000, 5, x_dist="polynomial",
                                     rng=seed + 50).split_query()
            oracle = metrics.prediction_mse(
                task_parameters(sup, theta.W, theta.s ** 2, theta.p, "bayes"), Xq, yq)
            out = []
            for clip, cap in SETTINGS:
                learner = MetaLearner.robust(
                    8, max(alpha, 0.01), covariates="estimate", rng=seed,
                    regression=FilterRegression(example_clip=clip, leverage_cap=cap))
                with warnings.catch_warnings(record=True) as ws:
                    warnings.simplefilter("always")
                    model = learner.fit(pools)
                mse = metrics.prediction_mse(model.task_parameters(sup, "bayes"), Xq, yq)
                warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
                out.append(f"clip {clip} cap {cap}: {mse / oracle:.3f} warned {int(warned)}")
            print(f"seed {seed} alpha {alpha}: " + " | ".join(out), flush=True)


if __name__ == "__main__":
    main()
