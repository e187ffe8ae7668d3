"""The screen on the clean draws of the sine-wave study: each pool's own tail
fit against the widest of the three pools' fits.

For every clean row of ``docs/results/sine_wave.csv`` the pools are drawn
again from the row's seed (as the study's trial does), whitened by the
trimmed second moment at α = 0.01 (what ``MetaLearner.robust(8, 0.01,
covariates="estimate")`` does first) and screened at the shared robust
scales: once with each pool judged at its own calibrated limits
(``screen_tasks``, the screen before the widest fit) and once as the learner
screens (``screen_pools``: every pool at the widest of the pools' fits).
Printed per draw: the tasks removed from light1 / heavy / light2, against
the limits 110 / 5 / 110, and the row's CorruptionWarning flag. With
``--fit N`` it then fits the robust learner on clean draw N (its generator
as in the study) and prints where the time went: the fit, the clustering
stage, and the kept Burer–Monteiro solve's status, residuals, outer
iterations and whether a fabricated-cluster check clustered again.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_sine_screen.py [--fit 2]
    (≈ 10 s; a fit ≈ 40–60 s)
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "experiments"))

import sine_wave as sw  # noqa: E402

from robust_mlr import MetaLearner, make_pools  # noqa: E402
from robust_mlr.covariates import Whitening, estimate_second_moment  # noqa: E402
from robust_mlr.stages.screening import screen_pools, screen_tasks  # noqa: E402

POOLS = ("light1", "heavy", "light2")


def clean_rows(path=ROOT / "docs" / "results" / "sine_wave.csv"):
    with open(path) as fh:
        return [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))
                if float(r["param.alpha"]) == 0.0]


def draw(rng):
    """The study's clean pools from the trial generator ``rng``."""
    P = sw.PROBLEM
    theta = sw.sine_params(P["k"], P["d"], P["s"])
    return make_pools(theta, P["n_L1"], P["t_L1"], P["n_H"], P["t_H"], P["n_L2"], P["t_L2"],
                      x_dist="polynomial", rng=rng)


def screens(seed, alpha=0.01):
    """(own, widest): tasks removed per pool by each rule."""
    pools = draw(np.random.default_rng(seed))
    pools = Whitening.from_moment(estimate_second_moment(pools, alpha)[0]).whiten_pools(pools)
    _, scales, info = screen_pools(pools, alpha)
    own = [int((~screen_tasks(pools[p], scales=scales, alpha=alpha)[0]).sum()) for p in POOLS]
    return own, [info[p]["n_removed"] for p in POOLS], [info[p]["limit"] for p in POOLS]


def fit_report(seed):
    """Fit the robust learner as the study does on one clean draw."""
    rng = np.random.default_rng(seed)
    pools = draw(rng)
    fit_rng = rng.spawn(4)[3]                     # the study's robust fit generator
    model = MetaLearner.robust(sw.PROBLEM["k"], 0.01, covariates="estimate", rng=fit_rng)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(pools)
    total = time.perf_counter() - t0
    cl = model.diagnostics_["clustering"]
    sv = cl["solver"]
    print(f"fit {total:.1f} s, clustering {cl['time']:.1f} s; kept solve: {sv['status']}, "
          f"primal residual {sv['primal_residual']:.1e}, KKT residual {sv['kkt_residual']:.1e}, "
          f"{sv['outer_iterations']} outer / {sv['inner_iterations']} inner iterations, "
          f"{sv['time']:.1f} s; clustered again after distrusting "
          f"{cl.get('distrusted_clusters', 0)} cluster(s); warnings: "
          f"{sorted({w.category.__name__ for w in caught})}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", type=int, default=None, help="also fit on this clean draw")
    args = parser.parse_args(argv)
    rows = clean_rows()
    print("draw  warned  own fit L1/H/L2   widest fit L1/H/L2   limits")
    for r in rows:
        own, widest, limits = screens(int(r["seed"]))
        print(f"{r['replicate']:>4}  {int(float(r['robust_warned'])):>6}  "
              f"{'/'.join(map(str, own)):>16}  {'/'.join(map(str, widest)):>19}   "
              f"{'/'.join(map(str, limits))}", flush=True)
    if args.fit is not None:
        fit_report(int(rows[args.fit]["seed"]))


if __name__ == "__main__":
    main()
