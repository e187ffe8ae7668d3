"""Robust learner under every catalogue attack (α = 0.05, light 2 attacked
as each attack targets), old vs new code via PYTHONPATH. Problems: the
quick problem's shape (d 16, k 3, light 1 6 000 × 2, heavy 150 × 96,
light 2 4 000 tasks) with light-2 sizes 8 or U{2..64}, Gaussian or Student
covariates. Prints the filter's rounds per component, tasks it removed,
clean light-2 tasks set aside, W error, warnings and time."""
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools, metrics
from robust_mlr.adversary import CATALOGUE, corrupt_pools

LIGHT2 = ("centre_shift", "sign_flip", "gradient_aligned", "leverage", "random_labels", "heavy_tailed")
PROBLEMS = {"t8 gaussian": (8, "gaussian"), "t2-64 gaussian": ("mix", "gaussian"),
            "t2-64 student": ("mix", "student")}


def run(problem, attack, seed):
    t2, law = PROBLEMS[problem]
    theta = make_params(16, 3, rng=seed)
    sizes = 8 if t2 == 8 else (lambda rng, n: rng.integers(2, 65, n))
    pools = make_pools(theta, 6000, 2, 150, 96, 4000, sizes, x_dist=law, rng=seed + 1)
    if attack != "clean":
        pools = corrupt_pools(pools, attack, 0.05, theta=theta, rng=seed + 2)
    mask = getattr(pools, "masks", {}).get("light2") if attack != "clean" else None
    mask = np.zeros(pools.light2.n_tasks, bool) if mask is None else mask
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MetaLearner.robust(3, 0.05, rng=seed + 3).fit(pools)
    el = time.perf_counter() - t0
    reg = model.diagnostics_["regression"]
    its = [c.get("iterations", 0) for c in reg.get("components", [])]
    removed = sum(c.get("removed", 0) for c in reg.get("components", []))
    flagged = model.flagged_["light2"]
    err = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
    kinds = sorted({type(w.message).__name__ for w in caught})
    print(f"{problem:15s} {attack:18s} seed={seed} rounds={its} removed={removed:4d} "
          f"clean_flagged={int((flagged & ~mask).sum()):4d} bad_flagged={int((flagged & mask).sum()):4d}/{mask.sum()} "
          f"w_err={err:.4f} warn={kinds} t={el:.2f}s", flush=True)


if __name__ == "__main__":
    for problem in PROBLEMS:
        for attack in ("clean",) + tuple(a for a in CATALOGUE if a in LIGHT2):
            for seed in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1):
                run(problem, attack, seed)
