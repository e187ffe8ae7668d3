"""Freeze the seeded outputs of the two preset learners on the default problem.

Run from the repository root (``python3 tests/data/make_golden.py``) only
when a change is *meant* to move these outputs; ``tests/test_golden.py``
compares every fit against ``golden_default.npz`` and its docstring lists
each accepted difference with its reason.
"""

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import DEFAULT_PROBLEM

CASES = ("icml_clean", "robust_clean", "robust_fake_cluster")


def problem():
    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=1)
    return theta, pools


def fit_case(name, theta, pools):
    k = theta.k
    if name == "icml_clean":
        return MetaLearner(k, rng=2).fit(pools)
    if name == "robust_clean":
        return MetaLearner.robust(k, 0.05, rng=2).fit(pools)
    bad = corrupt_pools(pools, "fake_cluster", 0.05, theta=theta, rng=4)
    return MetaLearner.robust(k, 0.05, rng=2).fit(bad)


def outputs(model):
    return {"U": model.U_, "W": model.W_, "s2": model.s2_, "p": model.p_,
            "heavy_labels": model.heavy_labels_, "light_labels": model.light_labels_}


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    theta, pools = problem()
    out = {}
    for name in CASES:
        for key, value in outputs(fit_case(name, theta, pools)).items():
            out[f"{name}/{key}"] = value
    np.savez_compressed("tests/data/golden_default.npz", **out)
    print("wrote tests/data/golden_default.npz:", len(out), "arrays")
