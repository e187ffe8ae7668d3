"""Single-channel probes of the robust learner on the default problem: each
adaptive family alone, with fixed parameters, and what every stage removed.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 5 \\
        python3 research/redteam_probes.py --alpha 0.05 --seed 0

One fit per probe (about 10 s each on the default problem). For each probe
prints max||ŵ − w||/s, ŝ² and p̂ errors, the subspace error, and the number
of tasks the subspace filter, the clustering and the light-task stages set
aside (``model.flagged_``); a fit that raises prints the exception instead.
The ``extreme`` probes put ONE task of ±1e155 covariates or ±1e160 responses
into one pool (the crash cases of finite but overflowing input).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, QUICK, make_problem
from robust_mlr import MetaLearner, metrics
from robust_mlr.adversary import Poolwise, attack_settings, corrupt_pools

PROBES = {
    "covariate_spike (light1)": dict(light1=("covariate_spike", dict(
        level=1.2, y_level=0.1, n_directions=2))),
    "component_shift (light2, one component)": dict(light2=("component_shift", dict(
        component=0, shift=1.5, direction="in_span", pick="component"))),
    "variance_inflation (light2, zero gradient)": dict(light2=("variance_inflation", dict(
        component=0, fill=0.95, pick="component"))),
    "component_mimic (heavy + light2)": dict(
        heavy=("component_mimic", dict(component=0, source=1)),
        light2=("component_mimic", dict(component=0, source=1))),
    "variance_inflation, largest tasks (light2)": dict(light2=("variance_inflation", dict(
        component=0, fill=0.95, pick="largest"))),
    "extreme x 1e155 (light1)": dict(light1=("extreme_values", dict(
        exponent=155, channel="x", n_extreme=1))),
    "extreme y 1e160 (light1)": dict(light1=("extreme_values", dict(
        exponent=160, channel="y", n_extreme=1))),
    "extreme x 1e155 (heavy)": dict(heavy=("extreme_values", dict(
        exponent=155, channel="x", n_extreme=1))),
    "extreme y 1e160 (heavy)": dict(heavy=("extreme_values", dict(
        exponent=160, channel="y", n_extreme=1))),
    "extreme y 1e300 (light2)": dict(light2=("extreme_values", dict(
        exponent=300, channel="y", n_extreme=1))),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sizes", choices=("fixed", "hetero"), default="fixed")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    theta, pools = make_problem(dict(QUICK if a.quick else PROBLEM, sizes=a.sizes),
                                np.random.default_rng([a.seed, 11]))
    learner = MetaLearner.robust(theta.k, a.alpha, rng=a.seed)
    settings = attack_settings(learner)
    rows = [("clean", None)] + [(n, Poolwise(**spec)) for n, spec in PROBES.items()]
    print(f"{'probe':44s} {'w_err':>8} {'s2_err':>8} {'p_err':>7} {'sub_err':>8} "
          f"{'rm L1':>6} {'rm H':>5} {'rm L2':>6} {'time':>5}")
    for name, att in rows:
        bad = pools if att is None else corrupt_pools(
            pools, att, a.alpha, theta=theta, settings=settings,
            rng=np.random.default_rng([a.seed, 5]))
        model = MetaLearner(**learner.get_params(deep=False))
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                model.fit(bad)
        except Exception as exc:          # a crash is the finding
            print(f"{name:44s} CRASH {type(exc).__name__}: {str(exc)[:70]}")
            continue
        pe = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
        rm = [0 if f is None else int(np.sum(f)) for f in model.flagged_.values()]
        print(f"{name:44s} {pe['w_err']:8.4f} {pe['s2_err']:8.4f} {pe['p_err']:7.4f} "
              f"{metrics.subspace_error(model.U_, theta):8.4f} {rm[0]:6d} {rm[1]:5d} "
              f"{rm[2]:6d} {time.perf_counter() - t0:5.1f}", flush=True)


if __name__ == "__main__":
    main()
