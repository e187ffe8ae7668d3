"""The robust learner (α = 0.05) on the quick problem's shape (d 16, k 3,
light 1 6 000 × 2, heavy 150 × 96, light 2 4 000 tasks) with light-2 sizes
{2, 128} or U{2..64}, clean and under light-2 attacks, seeds 0–4, to
compare two commits (PYTHONPATH at each). Prints the filter's rounds and
removals per component, clean light-2 tasks set aside, W error, ŝ² error,
whether the learner reclassified, and the warnings.

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/learner_sizes.py
"""
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools

SIZES = {"2|128": lambda r, n: r.choice([2, 128], n), "U2-64": lambda r, n: r.integers(2, 65, n)}


def run(size, attack, seed):
    theta = make_params(16, 3, rng=seed)
    pools = make_pools(theta, 6000, 2, 150, 96, 4000, SIZES[size], rng=seed + 1)
    mask = np.zeros(pools.light2.n_tasks, bool)
    if attack != "clean":
        pools = corrupt_pools(pools, attack, 0.05, theta=theta, targets=["light2"], rng=seed + 2)
        mask = pools.masks["light2"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MetaLearner.robust(3, 0.05, rng=seed + 3).fit(pools)
    reg = model.diagnostics_["regression"]
    its = [c.get("iterations", 0) for c in reg.get("components", [])]
    rem = [c.get("removed", 0) for c in reg.get("components", [])]
    flagged = model.flagged_["light2"]
    e = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
    recl = "reclassified" in model.diagnostics_["classification"]
    kinds = sorted({type(w.message).__name__ for w in caught
                    if "not robust" not in str(w.message)})
    print(f"{size:6s} {attack:16s} seed={seed} rounds={its} removed={rem} "
          f"clean_set_aside={int((flagged & ~mask).sum()):4d} bad_set_aside={int((flagged & mask).sum()):4d}/{mask.sum()} "
          f"w_err={e['w_err']:.4f} s2_err={e.get('s2_err', np.nan):.4f} recl={int(recl)} "
          f"passed={reg.get('passed')} warn={kinds}", flush=True)


if __name__ == "__main__":
    for size in SIZES:
        for attack in ("clean", "leverage", "gradient_aligned", "centre_shift"):
            for seed in range(5):
                run(size, attack, seed)
