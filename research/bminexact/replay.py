"""Inexact augmented-Lagrangian subproblems in the robust heavy clustering's
Burer–Monteiro solve, replayed on the solver inputs of real fits.

Draws: ``default_problem(rng=s)`` for each seed s, clean and under each
catalogue attack at α = 0.05 (``corrupt_pools(..., rng=s)``). Each robust
fit hands one cost operator and warm start to ``solve_peng_wei_bm``; they
are captured once (the generator state included) and the solve is replayed
as shipped and under each variant, patched in from outside the package.
Per variant: L-BFGS-B steps in all, "inaccurate" solves, the draws whose
spectral partition of the heavy tasks differs from the shipped solve's
(outliers included), and the objective's relative change.

A variant ends subproblem k of the augmented Lagrangian once its KKT
residual (the projected gradient that the update's KKT test reads) is at
most ω_k — inexact subproblems whose tolerance tightens with the outer
iteration (Nocedal and Wright, *Numerical Optimization*, ch. 17); r_{k−1}
is the violation after the previous update:

* ``all:res`` — every subproblem, ω_k = max(tol, min(1e-2, r_{k−1}));
* ``all:res10`` — every subproblem, max(tol, min(1e-3, r_{k−1}/10));
* ``all:geo`` — every subproblem, max(tol, 1e-2 · 10^−k);
* ``escape:res10`` — after an escape step only, max(tol, min(1e-2,
  r_{k−1}/10)), and a settled objective ends the run only with the KKT
  residual within 10 tol;
* ``escape:res10:start`` — the same, each subproblem also to a tenth of
  its starting residual.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/bminexact/replay.py [--seeds 0,1,2] [VARIANT ...]

``all:res`` takes ten times the shipped steps; it is left out unless named.
The log of the default run (seeds 0–5, the other four variants) is
``replay.txt`` beside this script.
"""
import argparse
import copy
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import CATALOGUE, corrupt_pools
from robust_mlr.constants import INLIER_MASS
from robust_mlr.exceptions import SolverFailedError
from robust_mlr.generator import default_problem
from robust_mlr.stages.clustering import _bm_lagrangian as bl
from robust_mlr.stages.clustering import burer_monteiro as bm
from robust_mlr.stages.clustering import factored

VARIANTS = {
    "all:res": dict(where="all", w0=1e-2, c=1.0),
    "all:res10": dict(where="all", w0=1e-3, c=0.1),
    "all:geo": dict(where="all", w0=1e-2, geo=0.1),
    "escape:res10": dict(where="escape", w0=1e-2, c=0.1, strict=True),
    "escape:res10:start": dict(where="escape", w0=1e-2, c=0.1, strict=True, start=True),
}


def capture(seeds):
    """{(seed, attack): (cost, k, keyword arguments)} of every draw's solve."""
    out, seen = {}, []
    solve = factored.solve_peng_wei_bm

    def spy(op, k, **kw):
        seen.append((op, k, dict(kw, rng=copy.deepcopy(kw["rng"]))))
        return solve(op, k, **kw)
    factored.solve_peng_wei_bm = spy
    try:
        for seed in seeds:
            theta, pools = default_problem(rng=seed)
            for attack in ("clean",) + CATALOGUE:
                data = pools if attack == "clean" else corrupt_pools(
                    pools, attack, 0.05, theta=theta, rng=seed)
                seen.clear()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    MetaLearner.robust(theta.k, 0.05, rng=0).fit(data)
                out[(seed, attack)] = seen[0]
    finally:
        factored.solve_peng_wei_bm = solve
    return out


def solve(case):
    op, k, kw = case
    kw = dict(kw, rng=copy.deepcopy(kw["rng"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.process_time()
        res = bm.solve_peng_wei_bm(op, k, **kw)
    return res, time.process_time() - t


def partition(res, k=4):
    """Spectral rounding of the inlier rows (as the clustering stage), −1 for the others."""
    inl = res.row_mass() >= INLIER_MASS
    idx, lab = factored._round(res.Y, k, None, np.random.default_rng(0), inl, "spectral")
    out = np.full(res.Y.shape[0], -1)
    out[idx] = lab
    return out


def same_partition(a, b):
    if not np.array_equal(a < 0, b < 0):
        return False
    m = a >= 0
    return len(set(zip(a[m], b[m]))) == len(set(a[m])) == len(set(b[m]))


# --- the variants: the augmented Lagrangian with inexact subproblems --------------------

class Stationary:
    """Callback ending an L-BFGS-B run once the KKT residual of the last
    evaluation is at most ``omega`` (after the chained callback)."""

    def __init__(self, lag, omega, last, callback):
        self.lag, self.omega, self.last, self.callback = lag, omega, last, callback
        self.reached = False

    def __call__(self, intermediate_result):
        if self.callback is not None:
            self.callback(intermediate_result)
        Y, G = self.last["Y"], self.last["G"]
        if kkt(self.lag, Y, G) <= self.omega:
            self.reached = True
            raise StopIteration

    @property
    def stopped(self):
        return self.reached or getattr(self.callback, "stopped", False)


def kkt(lag, Y, G):
    return float(np.linalg.norm(Y - np.maximum(Y - G, 0.0))
                 / (1.0 + np.linalg.norm(2.0 * lag.op.matmul(Y))))


def inexact_subproblem(lag, Y, max_inner, gtol, ftol, callback, omega, start):
    """The shipped subproblem, ended also by :class:`Stationary`."""
    if omega is None:
        return bl.subproblem(lag, Y, max_inner, gtol, ftol, callback)
    if start:
        omega = min(omega, 0.1 * kkt(lag, Y, lag.value_grad(Y)[1]))
    last, value_grad = {}, lag.value_grad

    def recorded(Z):
        out = value_grad(Z)
        last["Y"], last["G"] = Z, out[1]
        return out
    lag.value_grad = recorded
    try:
        return bl.subproblem(lag, Y, max_inner, gtol, ftol,
                             Stationary(lag, omega, last, callback))
    finally:
        del lag.value_grad


def augmented_lagrangian(where, w0, c=0.1, geo=None, strict=False, start=False):
    """bl.augmented_lagrangian (as shipped) with the tolerances ω_k."""
    def run(lag, Y, tol, scale, max_outer, max_inner, size, ftol=1e-14, stall=None,
            settle=None):
        prev, f_prev, iters, futile = np.inf, np.inf, 0, 0
        settle = tol if settle is None else settle
        for outer in range(max_outer):
            omega = None
            if where == "all" or stall is not None:
                omega = max(tol, w0 * geo ** outer if geo else min(w0, c * prev))
            Y, val, nit = inexact_subproblem(
                lag, Y, max_inner, tol * scale * 1e-2, ftol,
                None if stall is None else bl.Stall(stall, 0.1 * tol), omega, start)
            iters += nit
            if not (np.isfinite(val) and np.all(np.isfinite(Y))):
                raise SolverFailedError(f"non-finite iterate ({size})")
            cons, _ = lag.constraints(Y)
            res = lag.residual(cons)
            lag.lam = lag.shifted(cons)
            k = bl.kkt_residual(lag, Y)
            f = lag.objective(Y)
            settled = abs(f - f_prev) <= tol * max(1.0, abs(f))
            if strict and omega is not None:
                settled = settled and k <= 10 * tol
            if res <= tol and (k <= tol or settled):
                break
            if res <= tol and k <= 10 * tol and abs(f - f_prev) <= settle * max(1.0, abs(f)):
                break
            stuck = res > tol and res > 0.9 * prev and abs(f - f_prev) <= tol * max(1.0, abs(f))
            futile = futile + 1 if stuck else 0
            if futile >= bl._FUTILE_UPDATES:
                break
            f_prev = f
            if res > tol and res > 0.25 * prev:
                lag.beta = min(5.0 * lag.beta, 1e8 * scale)
            prev = res
        return Y, outer + 1, iters
    return run


def replay(cases, variant=None):
    shipped = bm.augmented_lagrangian
    if variant is not None:
        bm.augmented_lagrangian = augmented_lagrangian(**VARIANTS[variant])
    try:
        return {key: solve(case) for key, case in cases.items()}
    finally:
        bm.augmented_lagrangian = shipped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)}")
    ap.add_argument("--seeds", default="0,1,2,3,4,5")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    names = a.variants or [v for v in VARIANTS if v != "all:res"]
    cases = capture(seeds)
    base = replay(cases)
    parts = {key: partition(res) for key, (res, _) in base.items()}
    steps = sum(res.info["inner_iterations"] for res, _ in base.values())
    print(f"{len(cases)} draws (seeds {a.seeds}); shipped: {steps} L-BFGS-B steps, "
          f"{sum(t for _, t in base.values()):.1f} s CPU, "
          f"{sum(res.status != 'optimal' for res, _ in base.values())} inaccurate")
    for name in names:
        out = replay(cases, name)
        rel, changed, slower, inaccurate = [], [], 0, []
        for key, (res, _) in out.items():
            ref = base[key][0]
            rel.append((res.objective - ref.objective) / max(1.0, abs(ref.objective)))
            slower += res.info["inner_iterations"] > ref.info["inner_iterations"]
            if not same_partition(partition(res), parts[key]):
                changed.append(key)
            if res.status != "optimal":
                inaccurate.append(key)
        rel = np.array(rel)
        print(f"{name:>20}: {sum(r.info['inner_iterations'] for r, _ in out.values())} steps "
              f"({sum(t for _, t in out.values()):.1f} s CPU; {slower} draws slower), "
              f"{len(inaccurate)} inaccurate, {len(changed)} partitions changed, objective "
              f"{rel.min():+.1e} to {rel.max():+.1e} (median {np.median(rel):+.0e})")
        for key in changed:
            print(f"{'':>22}partition changed: {key}")
        for key in inaccurate:
            print(f"{'':>22}inaccurate: {key}")


if __name__ == "__main__":
    main()
