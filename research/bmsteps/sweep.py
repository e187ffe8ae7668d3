"""Step counts of the robust heavy clustering's Burer–Monteiro solve under
variants of its settings, replayed on the solver inputs of real fits.

Each robust fit of the default problem (d = 32, k = 4; pools seeds 1–14 and
100 clean, and seeds 100 / 1 under built-in attacks at α = 0.05) hands one
cost operator and warm start to ``solve_peng_wei_bm``; they are captured
once and the solve is replayed from them (the same generator state) as
shipped and under each variant, patched in from outside the package. Per
draw: L-BFGS-B steps, the objective's relative change, the status, and
whether the spectral rounding of the answer gives the same partition of
the heavy tasks (outliers included) as the shipped solve.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/bmsteps/sweep.py [VARIANT ...]
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/bmsteps/sweep.py --phases

``--phases`` prints, for the shipped solver, the steps and updates of the
first augmented-Lagrangian run and of each escape's re-solve;
``--first-runs VARIANT ...`` compares the first run alone (its steps and
where it ends) under variants. The output of all three is kept in
``sweep.txt`` beside this script.
"""
import argparse
import copy
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.constants import INLIER_MASS
from robust_mlr.stages.clustering import _bm_escape as esc
from robust_mlr.stages.clustering import _bm_lagrangian as bl
from robust_mlr.stages.clustering import burer_monteiro as bm
from robust_mlr.stages.clustering import factored

DRAWS = ([f"{s}:clean" for s in range(1, 15)] + ["100:clean"]
         + [f"100:{a}" for a in ("fake_cluster", "centre_shift", "cluster_bridging", "sign_flip",
                                 "heavy_tailed", "leverage", "random_labels", "subspace_spike")]
         + ["1:fake_cluster", "1:centre_shift"])


def capture(draws):
    """The (cost, k, keyword arguments) of every draw's solve."""
    out, seen = {}, []
    solve = factored.solve_peng_wei_bm

    def spy(op, k, **kw):
        seen.append((op, k, dict(kw, rng=copy.deepcopy(kw["rng"]))))
        return solve(op, k, **kw)
    factored.solve_peng_wei_bm = spy
    theta = make_params(32, 4, rng=0)
    try:
        for draw in draws:
            seed, attack = draw.split(":")
            pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=int(seed))
            if attack != "clean":
                pools = corrupt_pools(pools, attack, 0.05, theta=theta, rng=4)
            seen.clear()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                MetaLearner.robust(4, 0.05, rng=0).fit(pools)
            out[draw] = seen[0]
    finally:
        factored.solve_peng_wei_bm = solve
    return out


def solve(case, **over):
    op, k, kw = case
    kw = dict(kw, rng=copy.deepcopy(kw["rng"]), **over)
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


# --- variants: each a context (patch, undo) around the solve ---------------------------

class Patch:
    def __init__(self, obj, name, new):
        self.obj, self.name, self.new = obj, name, new

    def __enter__(self):
        self.old = getattr(self.obj, self.name)
        setattr(self.obj, self.name, self.new(self.old))

    def __exit__(self, *exc):
        setattr(self.obj, self.name, self.old)


def maxcor(m):
    def new(old):
        def lbfgsb(*a, **kw):
            return old(*a, **dict(kw, maxcor=m))
        return lbfgsb
    return Patch(bl, "lbfgsb", new), {}


def first_resolve_cap(cap):
    """The first subproblem after an escape step ends after ``cap`` steps."""
    state = {"k": 0}

    def new_al(old):
        def al(*a, **kw):
            state["k"] = 0
            return old(*a, **kw)
        return al

    def new_sub(old):
        def sub(lag, Y, max_inner, gtol, ftol, callback):
            if callback is not None and state["k"] == 0:
                max_inner = min(max_inner, cap)
            state["k"] += 1
            return old(lag, Y, max_inner, gtol, ftol, callback)
        return sub
    return [Patch(bm, "augmented_lagrangian", new_al), Patch(bl, "subproblem", new_sub)], {}


def loose_first(ftol, below=1e-3):
    """The first run's subproblems stop at relative decrease ``ftol`` while
    the primal residual is above ``below`` (and the very first one)."""
    state = {"k": 0}

    def new_al(old):
        def al(*a, **kw):
            state["k"] = 0
            return old(*a, **kw)
        return al

    def new_sub(old):
        def sub(lag, Y, max_inner, gtol, f, callback):
            if callback is None and (state["k"] == 0
                                     or lag.residual(lag.constraints(Y)[0]) > below):
                f = ftol
            state["k"] += 1
            return old(lag, Y, max_inner, gtol, f, callback)
        return sub
    return [Patch(bm, "augmented_lagrangian", new_al), Patch(bl, "subproblem", new_sub)], {}


def warm_multipliers():
    """Row and total-mass multipliers fitted at the warm start: least squares
    of stationarity on the main entries with trace and mass multipliers 0,
    then shifted along the one free direction (every row multiplier and the
    mass multiplier together) to the threshold at which ⌊αn⌋ rows shed."""
    def estimate(lag, Y):
        n = Y.shape[0]
        u = Y.sum(axis=0)
        DY = lag.op.matmul(Y)
        I, C = np.nonzero(Y > 0.5 * Y.max(axis=0))
        A = np.zeros((I.size, n))
        A[np.arange(I.size), I] += u[C]
        A += Y[:, C].T
        keep = np.zeros(n, bool)
        keep[I] = True
        lam = np.zeros(n)
        lam[keep] = np.linalg.lstsq(A[:, keep], -2 * DY[I, C], rcond=None)[0]
        enter = np.empty(n)
        enter[keep] = -lam[keep]
        cols = np.unique(C)
        enter[~keep] = ((2 * DY[:, cols] + (Y.T @ lam)[cols]) / u[cols])[~keep].min(axis=1)
        shed = int(lag.n - lag.mass)
        srt = np.sort(enter)
        kappa = 0.5 * (srt[n - shed - 1] + srt[n - shed]) if shed else srt[-1]
        lam[keep] += kappa
        lag.lam["rows"], lag.lam["total"] = np.maximum(lam, 0.0), max(kappa, 0.0)

    def new(old):
        def al(lag, Y, *a, **kw):
            if kw.get("stall") is None:
                estimate(lag, Y)
            return old(lag, Y, *a, **kw)
        return al
    return Patch(bm, "augmented_lagrangian", new), {}


def lower_penalty(factor):
    """Each escape's re-solve starts at β / ``factor``."""
    def new(old):
        def al(lag, Y, *a, **kw):
            if kw.get("stall") is not None:
                lag.beta /= factor
            return old(lag, Y, *a, **kw)
        return al
    return Patch(bm, "augmented_lagrangian", new), {}


def fixed_escape_step(j):
    """The escape's step length ‖y‖·2^−j instead of the best of the grid."""
    def new(old):
        def escape(lag, Y, rows, v, kind, c, max_rank):
            n, r = Y.shape
            norms = np.sum(Y * Y, axis=0)
            free = np.flatnonzero(norms <= 1e-12 * max(float(norms.sum()), 1e-300))
            free = free[free != c]
            if free.size == 0 and r >= max_rank:
                return None
            col = free[0] if free.size else r
            full = np.zeros(n)
            full[rows] = v
            y = Y[:, c]
            s = float(np.linalg.norm(y)) * 2.0 ** -j
            Yn = np.hstack([Y, np.zeros((n, 1))]) if col == r else Y.copy()
            if kind == "split":
                Yn[:, c] = np.maximum(y + s * full, 0.0) / np.sqrt(2)
                Yn[:, col] = np.maximum(y - s * full, 0.0) / np.sqrt(2)
            else:
                Yn[:, col] = s * full
            return Yn
        return escape
    return Patch(esc, "escape", new), {}


VARIANTS = {
    "maxcor30": lambda: maxcor(30), "maxcor50": lambda: maxcor(50),
    "rank5": lambda: ([], {"rank": 5}), "rank8": lambda: ([], {"rank": 8}),
    "beta0=1": lambda: ([], {"beta0": 1.0}), "beta0=6": lambda: ([], {"beta0": 6.0}),
    "beta0=15": lambda: ([], {"beta0": 15.0}),
    "resolve_cap150": lambda: first_resolve_cap(150),
    "resolve_cap200": lambda: first_resolve_cap(200),
    "resolve_cap250": lambda: first_resolve_cap(250),
    "loose_first": lambda: loose_first(1e-8),
    "warm_multipliers": warm_multipliers,
    "penalty/5": lambda: lower_penalty(5.0), "penalty/25": lambda: lower_penalty(25.0),
    "escape_step2^-4": lambda: fixed_escape_step(4),
    "warm_multipliers_beta0=75": lambda: (warm_multipliers()[0], {"beta0": 75.0}),
}


def run_variant(name, cases, base):
    patches, over = VARIANTS[name]()
    patches = patches if isinstance(patches, list) else [patches]
    steps = cpu = worse = changed = inacc = 0
    lo = hi = 0.0
    for p in patches:
        p.__enter__()
    try:
        for draw, case in cases.items():
            res, t = solve(case, **over)
            r0, lab0, _ = base[draw]
            d = (res.objective - r0.objective) / max(1.0, abs(r0.objective))
            same = same_partition(partition(res), lab0)
            steps, cpu = steps + res.info["inner_iterations"], cpu + t
            worse += res.info["inner_iterations"] > r0.info["inner_iterations"]
            changed += not same
            inacc += res.status != "optimal"
            lo, hi = min(lo, d), max(hi, d)
            print(f"  {name:>16} {draw:>20}  steps {r0.info['inner_iterations']:5d} -> "
                  f"{res.info['inner_iterations']:5d}  objective {d:+.1e}  {res.status:>10}  "
                  f"{'same' if same else 'OTHER'} partition")
    finally:
        for p in reversed(patches):
            p.__exit__()
    total0 = sum(b[0].info["inner_iterations"] for b in base.values())
    cpu0 = sum(b[2] for b in base.values())
    print(f"{name}: steps {total0} -> {steps} ({steps / total0 - 1:+.1%}), CPU {cpu0:.2f} -> "
          f"{cpu:.2f} s, more steps on {worse} of {len(cases)} draws, other partition on "
          f"{changed}, inaccurate {inacc}; objective {lo:+.1e} to {hi:+.1e} relative")


def phases(cases):
    """Steps and updates of the first run and of each escape's re-solve."""
    runs = []

    def new(old):
        def al(lag, Y, *a, **kw):
            f0 = lag.objective(Y)
            out = old(lag, Y, *a, **kw)
            runs.append((out[2], out[1], f0, lag.objective(out[0])))
            return out
        return al
    first = 0
    with Patch(bm, "augmented_lagrangian", new):
        for draw, case in cases.items():
            runs.clear()
            res, t = solve(case)
            first += runs[0][0]
            rest = ", ".join(f"{s} steps / {u} updates {a:.5f} -> {b:.5f}"
                             for s, u, a, b in runs[1:])
            print(f"{draw:>20}  {res.info['inner_iterations']:5d} steps, {t:.3f} s CPU: first run "
                  f"{runs[0][0]} steps / {runs[0][1]} updates to {runs[0][3]:.5f}; re-solves: "
                  f"{rest}; answer {res.objective:.5f}")
    print(f"first runs: {first} steps of "
          f"{sum(solve(c)[0].info['inner_iterations'] for c in cases.values())}")


class _FirstRunDone(Exception):
    pass


def first_run(case, name=None):
    """Steps, updates and objective of the first augmented-Lagrangian run alone."""
    patches, over = VARIANTS[name]() if name else ([], {})
    patches = patches if isinstance(patches, list) else [patches]
    box = {}

    def new(old):
        def al(lag, Y, *a, **kw):
            out = old(lag, Y, *a, **kw)
            box.update(steps=out[2], updates=out[1], objective=lag.objective(out[0]))
            raise _FirstRunDone
        return al
    # outermost: the variant's own patch of augmented_lagrangian runs inside this one
    stop = Patch(bm, "augmented_lagrangian", new)
    stop.__enter__()
    for p in patches:
        p.__enter__()
    try:
        solve(case, **over)
    except _FirstRunDone:
        pass
    finally:
        for p in reversed(patches):
            p.__exit__()
        stop.__exit__()
    return box


def first_runs(cases, names):
    base = {draw: first_run(case) for draw, case in cases.items()}
    for name in names:
        steps = same = 0
        for draw, case in cases.items():
            b, v = base[draw], first_run(case, name)
            d = (v["objective"] - b["objective"]) / max(1.0, abs(b["objective"]))
            steps, same = steps + v["steps"], same + (abs(d) <= 2e-4)
            print(f"  {name:>16} {draw:>20}  first run {b['steps']:4d} steps / {b['updates']} "
                  f"updates -> {v['steps']:4d} / {v['updates']}, objective {d:+.1e}")
        print(f"{name}: first runs {sum(b['steps'] for b in base.values())} -> {steps} steps, "
              f"the same point (objective within 2e-4) on {same} of {len(cases)} draws")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="*",
                    help=f"any of {', '.join(VARIANTS)} (default: all but the last)")
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--first-runs", action="store_true",
                    help="compare the first augmented-Lagrangian run alone")
    args = ap.parse_args()
    cases = capture(DRAWS)
    if args.phases:
        phases(cases)
    elif args.first_runs:
        first_runs(cases, args.variants or ["warm_multipliers", "warm_multipliers_beta0=75"])
    else:
        base = {}
        for draw, case in cases.items():
            res, t = solve(case)
            base[draw] = (res, partition(res), t)
        default = [v for v in VARIANTS if v != "warm_multipliers_beta0=75"]
        for name in args.variants or default:
            run_variant(name, cases, base)
