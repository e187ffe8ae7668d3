"""Spike directions of the clipped refit's Mallows weights on clean data:
per fit, the number of directions per component along which its covariate
second moment exceeds the other components' (and so where rows beyond the
leverage cap lose weight). The default problem (3 seeds), the five laws of
``benchmarks/bench_covariate_laws.py`` (3 seeds each) and the sine-wave
problem (3 seeds).

    PYTHONPATH=$PWD:benchmarks:experiments OMP_NUM_THREADS=1 \\
        python3 research/example_clip/spikes_clean.py
"""
import warnings

from robust_mlr import MetaLearner, make_params, make_pools


def spikes(learner, pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = learner.fit(pools)
    clip = model.diagnostics_["regression"].get("example_clip") or {}
    return clip.get("spikes"), clip.get("clipped")


def main():
    from bench_covariate_laws import FULL, LAWS, law_problem
    from sine_wave import sine_params
    for seed in range(3):
        theta = make_params(32, 4, rng=seed)
        pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=seed + 1)
        print("default", seed, *spikes(MetaLearner.robust(4, 0.05, rng=seed), pools), flush=True)
    for law in LAWS:
        for seed in range(3):
            _, pools, _ = law_problem(law, seed=seed, **FULL)
            print(law, seed, *spikes(MetaLearner.robust(4, 0.01, rng=seed), pools), flush=True)
    theta = sine_params(8, 16, 0.5)
    for seed in range(3):
        pools = make_pools(theta, 8192, 8, 128, 16, 8192, 4, x_dist="polynomial", rng=seed)
        print("sine", seed, *spikes(MetaLearner.robust(8, 0.02, covariates="estimate", rng=seed),
                                    pools), flush=True)


if __name__ == "__main__":
    main()
