"""Clean fits: the regression stage's readings that a corrupted pool moves
(the refit's distance from least squares, spike directions, the clipped
gradient test) on the covariate laws of ``benchmarks/bench_covariate_laws.py``
(default problem seen through each law), the Gaussian default, and the
sine-wave problem of ``experiments/sine_wave.py`` (k 8, d 16, pools
8192 × 8 / 128 × 16 / 8192 × 4, ``covariates="estimate"``).

    PYTHONPATH=$PWD:benchmarks:experiments/.. OMP_NUM_THREADS=1 \\
        python3 research/law_reference/clean_tests.py [--seeds 2]
"""
import argparse
import sys
import warnings

import numpy as np

from robust_mlr import CorruptionWarning, MetaLearner, make_params, make_pools

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, LAWS, law_problem  # noqa: E402
from experiments.sine_wave import sine_params  # noqa: E402


def show(name, seed, model, caught):
    reg = model.diagnostics_["regression"]
    ec = reg.get("example_clip") or {}
    warned = any(issubclass(w.category, CorruptionWarning) for w in caught)
    print(f"{name:<11}{seed:>3} warned {int(warned)} clipped_test {ec.get('clipped_test')} "
          f"score_test {ec.get('score_test')} "
          f"moved_se {ec.get('moved_se')} spikes {ec.get('spikes')}"
          f"{' unread ' + str(ec['unread']) if ec.get('unread') else ''}", flush=True)
    for msg in sorted({str(w.message)[:160] for w in caught
                       if issubclass(w.category, CorruptionWarning)}):
        print("    ", msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=2)
    a = ap.parse_args()
    for seed in range(a.seeds):
        for law in ("gaussian",) + LAWS:
            if law == "gaussian":
                theta = make_params(FULL["d"], FULL["k"], rng=seed)
                pools = make_pools(theta, *FULL["sizes"], rng=seed + 100)
            else:
                theta, pools, _ = law_problem(law, FULL["d"], FULL["k"], FULL["sizes"], seed)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                m = MetaLearner.robust(FULL["k"], 0.01, rng=seed).fit(pools)
            show(law, seed, m, caught)
        theta = sine_params(8, 16, 0.5)
        pools = make_pools(theta, 8192, 8, 128, 16, 8192, 4, x_dist="polynomial", rng=seed)
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            m = MetaLearner.robust(8, 0.01, covariates="estimate", rng=seed).fit(pools)
        show("sine", seed, m, caught)


if __name__ == "__main__":
    main()
