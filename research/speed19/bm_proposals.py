"""Measured proposals for the Burer–Monteiro solve (not shipped): L-BFGS-B
correction pairs (``maxcor``, shipped 20) in the augmented-Lagrangian
subproblems. For each variant: the robust fit of the default problem on
pools seeds 1, 3, 7 (fit seed 0) and the three golden cases; per fit the
solve's L-BFGS-B steps and CPU time (median of 3 fits), its objective, and
whether W, ŝ², p and the labels stay within the golden test's tolerance
(1e-10 of each array's largest entry; labels equal) of the shipped solve.

With ``--ftol``: instead, the first augmented-Lagrangian run's subproblems
end at relative decrease 1e-12 (as the escape re-solves' do) instead of
1e-14 (maxcor 20).

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed19/bm_proposals.py [--ftol]``
"""
import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import robust_mlr.stages.clustering._bm_lagrangian as lagmod
from robust_mlr.stages.clustering import burer_monteiro
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "data"))
import make_golden  # noqa: E402

GOLDEN = np.load(Path(make_golden.__file__).parent / "golden_default.npz")
burer_monteiro.time = types.SimpleNamespace(perf_counter=time.process_time)
orig = lagmod.lbfgsb
VARIANT = {"maxcor": 20}


def patched(fun, x0, *, maxiter, gtol, ftol, maxcor, callback=None):
    if maxcor == 20:                           # the subproblems (the escape search uses 10)
        maxcor = VARIANT["maxcor"]
    return orig(fun, x0, maxiter=maxiter, gtol=gtol, ftol=ftol, maxcor=maxcor, callback=callback)


lagmod.lbfgsb = patched
orig_al = burer_monteiro.augmented_lagrangian
FTOL = {"first": None}


def patched_al(*a, **kw):
    if "ftol" not in kw and FTOL["first"] is not None:     # the first run only
        kw["ftol"] = FTOL["first"]
    return orig_al(*a, **kw)


burer_monteiro.augmented_lagrangian = patched_al


def pools_of(seed):
    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    return make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                      p["n_light2"], p["t_light2"], rng=seed)


def run_cases():
    theta, gpools = make_golden.problem()
    out = {}
    for seed in (1, 3, 7):
        pools = pools_of(seed)
        out[f"pools{seed}"] = [MetaLearner.robust(4, 0.05, rng=0).fit(pools) for _ in range(3)]
    for case in ("robust_clean", "robust_fake_cluster"):
        out[case] = [make_golden.fit_case(case, theta, gpools) for _ in range(3)]
    return out


def summary(models):
    m = models[0]
    info = m.diagnostics_["clustering"]["solver"]
    return dict(steps=info["inner_iterations"], time=float(np.median(
        [x.diagnostics_["clustering"]["solver"]["time"] for x in models])),
        objective=m.diagnostics_["clustering"]["objective"], status=info["status"],
        out=make_golden.outputs(m))


def close(a, b):
    for key, x in a.items():
        y = b[key]
        if x.dtype.kind in "iu":
            if not np.array_equal(x, y):
                return f"{key} differs"
        elif not np.allclose(x, y, rtol=1e-10, atol=1e-10 * float(np.max(np.abs(y), initial=0))):
            return f"{key} max|Δ| {np.max(np.abs(x - y)):.2g}"
    return "same"


warnings.simplefilter("ignore")
with threadpool_limits(limits=1, user_api="blas"):
    base = None
    variants = ([(20, None), (20, 1e-12)] if "--ftol" in sys.argv
                else [(20, None), (10, None), (5, None)])
    for maxcor, ftol in variants:
        VARIANT["maxcor"], FTOL["first"] = maxcor, ftol
        res = {k: summary(v) for k, v in run_cases().items()}
        if base is None:
            base = res
        print(f"maxcor {maxcor}, first run's ftol {ftol or 1e-14:g}:")
        for k, r in res.items():
            gold = ""
            if k.startswith("robust_"):
                gold = "; golden: " + close(r["out"], {key: GOLDEN[f"{k}/{key}"]
                                                        for key in r["out"]})
            print(f"  {k:20s} steps {r['steps']:5d} (shipped {base[k]['steps']:5d}), solve "
                  f"{r['time']:.3f} s CPU (shipped {base[k]['time']:.3f}), objective "
                  f"{r['objective']:.6f} ({r['status']}); vs shipped: "
                  f"{close(r['out'], base[k]['out'])}{gold}", flush=True)
