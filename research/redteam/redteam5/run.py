"""Fifth red team: the new attack families, then searches warm-started from their best.

For one learner configuration (problem, sizes, α) the driver

1. fits the robust learner on clean pools (reference errors, time, and the
   thresholds a white-box adversary reads off the fit);
2. fits a grid of hand-built attacks from the families chosen with
   ``--families`` (edge placement, two-world midpoint per pool, attacks on
   the moment estimator, copies; see ``grid.py``), every one placed within
   ⌊αn⌋ tasks per pool;
3. for every target (W, s2, p) runs the red-team search, warm-started from
   the five grid attacks that did most damage to that target.

Every fit is one CSV row: the attack, max‖ŵ−w‖/s, max|ŝ²−s²|/s², max|p̂−p|
(Hungarian-matched), whether a CorruptionWarning was raised, the
exception (type and message), the fit time and its ratio to the clean fit.
A target's fit count is the grid plus its own search (``--fits N``: up
to N/2 grid fits, the rest search). ``--summarise DIR`` prints the worst fit per target of every CSV in
DIR as a Markdown table.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam5 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python3 research/redteam/redteam5/run.py --alpha 0.05 --sizes fixed --fits 150 \\
        --seed 0 --out research/redteam/redteam5/results
    python3 research/redteam/redteam5/run.py --summarise research/redteam/redteam5/results

The grid is that of the ``grid`` module first on the path (this folder's,
or a later red team's that reuses this driver: ``research/redteam/redteam6``),
and results go beside it by default.

``--problem smallheavy`` (d 64, k 8, light1 60000×2, heavy 20000×4,
light2 20000×16) attacks the small-heavy path: the default robust learner
(trimmed EM) or, with ``--clustering moments_robust``, the robust moment
estimator.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import attack_settings, corrupt_pools, red_team
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

import grid as _grid
from grid import FAMILIES, family_grid, label

TARGETS = {"W": "w_err", "s2": "s2_err", "p": "p_err"}
FIELDS = ("problem", "clustering", "sizes", "alpha", "seed", "phase", "target", "number",
          "family", "w_err", "s2_err", "p_err", "warned", "warnings", "exception", "time",
          "time_ratio", "replaced", "strategy")


def build_problem(name, sizes, seed):
    """θ and clean pools: the adaptive study's default problem or the small-heavy one."""
    rng = np.random.default_rng([seed, 11])
    if name == "default":
        return make_problem(dict(PROBLEM, sizes=sizes), rng)
    theta = make_params(64, 8, rng=rng)
    return theta, make_pools(theta, 60_000, 2, 20_000, 4, 20_000, 16, rng=rng)


class Recorded:
    """A robust learner whose ``fit`` records time, warnings and exceptions
    (the search's own scoring silences them); attributes delegate to it."""

    def __init__(self, k, alpha, seed, clustering, log):
        opts = {} if clustering == "default" else {"clustering": clustering}
        self.model = MetaLearner.robust(k, alpha, rng=seed, **opts)
        self.log = log

    def fit(self, pools):
        rec = {"exception": "", "warned": False, "warnings": ""}
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            try:
                self.model.fit(pools)
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                rec["exception"] = f"{type(exc).__name__}: {str(exc)[:160]}"
                raise
            finally:
                rec["time"] = time.perf_counter() - t0
                rec["warned"] = any(issubclass(w.category, CorruptionWarning) for w in ws)
                rec["warnings"] = ";".join(sorted({w.category.__name__ for w in ws}))
                self.log.append(rec)
        return self

    def __getattr__(self, name):
        return getattr(self.model, name)


def errors(model, theta):
    e = parameter_errors(model.W_, model.s2_, model.p_, theta)
    return {k: float(e[k]) for k in TARGETS.values()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problem", choices=("default", "smallheavy"), default="default")
    ap.add_argument("--clustering", default="default",
                    help="clustering stage of MetaLearner.robust (e.g. moments_robust)")
    ap.add_argument("--sizes", choices=("fixed", "hetero"), default="fixed")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--fits", type=int, default=150, help="fits per target (grid + search)")
    ap.add_argument("--families", default=",".join(FAMILIES),
                    help=f"grid families, comma-separated from {FAMILIES}")
    ap.add_argument("--targets", default="W,s2,p")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--on-crash", choices=("max", "ignore"), default="ignore")
    ap.add_argument("--out", default=str(Path(_grid.__file__).resolve().parent / "results"))
    ap.add_argument("--summarise", metavar="DIR", help="print the table of DIR's CSVs and exit")
    a = ap.parse_args(argv)
    if a.summarise:
        from summary import summarise
        print(summarise(Path(a.summarise)))
        return
    fams = [f for f in a.families.split(",") if f]
    bad = sorted(set(fams) - set(FAMILIES))
    if bad:
        ap.error(f"unknown families {bad}; choose from {FAMILIES}")
    targets = [t for t in a.targets.split(",") if t]

    theta, pools = build_problem(a.problem, a.sizes, a.seed)
    k, log = theta.k, []
    tag = f"{a.problem}_{a.clustering}_{a.sizes}_a{a.alpha}_s{a.seed}_n{a.fits}"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    fh = open(out / f"{tag}.csv", "w", newline="")
    writer = csv.DictWriter(fh, FIELDS)
    writer.writeheader()
    base = dict(problem=a.problem, clustering=a.clustering, sizes=a.sizes, alpha=a.alpha,
                seed=a.seed)
    t_start = time.perf_counter()

    def emit(phase, target, number, strategy, errs, rec, replaced=""):
        row = dict(base, phase=phase, target=target, number=number,
                   family=label(strategy), strategy=json.dumps(strategy, default=str),
                   replaced=replaced, time=round(rec["time"], 3),
                   time_ratio=round(rec["time"] / clean_time, 2), warned=int(rec["warned"]),
                   warnings=rec["warnings"], exception=rec["exception"], **errs)
        writer.writerow(row)
        fh.flush()
        print(f"[{time.perf_counter() - t_start:6.0f}s] {phase:6s} {target:2s} {number:3d} "
              f"w {errs['w_err']:.3f} s2 {errs['s2_err']:.3f} p {errs['p_err']:.3f} "
              f"warn {int(rec['warned'])} x{rec['time'] / clean_time:4.1f} "
              f"{rec['exception'][:50]} {row['family']}", flush=True)

    make = lambda: Recorded(k, a.alpha, a.seed, a.clustering, log)   # noqa: E731
    make().fit(pools)                       # warm-up: the first fit pays for imports
    clean = make().fit(pools)
    log.pop(0)
    clean_time = log[-1]["time"]
    clean_err = errors(clean, theta)
    settings = attack_settings(clean.model, a.alpha)
    emit("clean", "", 0, {}, clean_err, log[-1])

    n_grid = a.fits // 2
    extra = {}
    if "fewest" in inspect.signature(family_grid).parameters:    # a grid aimed at the anchor
        extra["fewest"] = int(np.argmin(np.bincount(pools.heavy.components, minlength=k)))
    grid = family_grid(fams, theta, a.problem, n_grid, np.random.default_rng([a.seed, 5]),
                       **extra)
    scored = []
    for i, strat in enumerate(grid):
        bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng([a.seed, 17, i]))
        replaced = "/".join(str(int(bad.masks[p].sum())) for p in ("light1", "heavy", "light2"))
        try:
            errs = errors(make().fit(bad), theta)
        except Exception:  # noqa: BLE001 - recorded by Recorded.fit
            errs = {v: float("nan") for v in TARGETS.values()}
        emit("grid", "", i, strat, errs, log[-1], replaced)
        scored.append((strat, errs))

    for target in targets:
        key = TARGETS[target]
        ok = [(s, e) for s, e in scored if np.isfinite(e[key])]
        best = [s for s, _ in sorted(ok, key=lambda se: -se[1][key])[:5]]
        n_search = max(a.fits - len(grid), 1)       # a short grid leaves the search more
        start = len(log)

        def report(rec, target=target, start=start):
            r = log[start + rec.number + 1]            # +1: the search's own clean fit
            errs = {v: rec.metrics.get(v, float("nan")) if rec.status == "ok" else float("nan")
                    for v in TARGETS.values()}
            emit(f"search:{rec.source}"[:14], target, rec.number, rec.strategy, errs, r)

        red_team(make, (theta, pools), a.alpha, target=target, budget=n_search, seed=a.seed,
                 warm_start=False, on_crash=a.on_crash, callback=report, settings=settings,
                 init_strategies=best)
    make().fit(pools)                       # the clean time again: the machine is shared
    emit("clean", "end", 1, {}, clean_err, log[-1])
    fh.close()
    from summary import summarise
    print(summarise(out, only=f"{tag}.csv"))
    print(f"clean fit {clean_time:.2f} s; {len(log)} fits in {time.perf_counter() - t_start:.0f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
