"""A red-team search on the small-heavy problem warm-started from given
strategies (the median-decoy probes' best), rows in the fifth red team's
CSV format: the driver's clean fit, then ``--fits`` search fits (trial n
scored on the corruption draw [seed, n], as ``replay.py`` replays it).

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam7/warm.py --seed 1 --fits 20 \\
        --out research/moments_robust/redteam7 'JSON' ['JSON' ...]
"""
import argparse
import csv
import json
import runpy
import time
from pathlib import Path

import numpy as np

from robust_mlr.adversary import attack_settings, red_team

_drv = runpy.run_path(str(Path(__file__).resolve().parents[2] / "redteam" / "redteam5" / "run.py"),
                      run_name="redteam5_driver")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strategy", nargs="+", help="JSON strategies {pool: [family, params]}")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fits", type=int, default=20)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent))
    a = ap.parse_args()
    theta, pools = _drv["build_problem"]("smallheavy", "fixed", a.seed)
    log = []
    make = lambda: _drv["Recorded"](theta.k, a.alpha, a.seed, "moments_robust", log)  # noqa: E731
    clean = make().fit(pools)
    clean_time = log[-1]["time"]
    settings = attack_settings(clean.model, a.alpha)
    tag = f"warm_smallheavy_moments_robust_fixed_a{a.alpha}_s{a.seed}_n{a.fits}"
    fh = open(Path(a.out) / f"{tag}.csv", "w", newline="")
    wr = csv.DictWriter(fh, _drv["FIELDS"])
    wr.writeheader()
    base = dict(problem="smallheavy", clustering="moments_robust", sizes="fixed", alpha=a.alpha,
                seed=a.seed)

    def emit(phase, number, strategy, errs, rec):
        wr.writerow(dict(base, phase=phase, target="W", number=number,
                         family=_drv["label"](strategy), strategy=json.dumps(strategy, default=str),
                         replaced="", time=round(rec["time"], 3),
                         time_ratio=round(rec["time"] / clean_time, 2), warned=int(rec["warned"]),
                         warnings=rec["warnings"], exception=rec["exception"], **errs))
        fh.flush()
        print(f"{phase} {number} w {errs['w_err']:.3f} warn {int(rec['warned'])} "
              f"x{rec['time'] / clean_time:.1f} {rec['exception'][:60]} "
              f"{json.dumps(strategy, default=str)[:300]}", flush=True)

    emit("clean", 0, {}, _drv["errors"](clean, theta), log[-1])
    init = [{p: tuple(v) for p, v in json.loads(s).items()} for s in a.strategy]
    start = len(log)

    def report(rec):
        r = log[start + rec.number + 1]            # +1: the search's own clean fit
        errs = {v: rec.metrics.get(v, float("nan")) if rec.status == "ok" else float("nan")
                for v in ("w_err", "s2_err", "p_err")}
        emit(f"search:{rec.source}"[:14], rec.number, rec.strategy, errs, r)

    red_team(make, (theta, pools), a.alpha, target="W", budget=a.fits, seed=a.seed,
             warm_start=False, callback=report, settings=settings, init_strategies=init)
    fh.close()


if __name__ == "__main__":
    main()
