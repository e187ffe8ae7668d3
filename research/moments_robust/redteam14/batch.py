"""Several strategies on the small-heavy problem (seed 1, or $SEED), the defended
learner only (the default ``MetaLearner.robust(8, α, clustering="moments_robust")``),
one clean fit per process for the white-box settings and the time baseline.

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam14/batch.py ALPHA DRAW LOG 'JSON' ['JSON' ...]

Each strategy is fitted on draw [1, DRAW]; one line per fit is appended to
LOG: W (max over components of ‖ŵ − w‖/s), ŝ² error, warned, time and its
ratio to the clean fit's, the refit's spikes and excess, classified counts,
the strategy.
"""
import json
import os
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem
import biased  # noqa: F401  (registers biased_lever)


def main():
    alpha, draw, log = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    seed = int(os.environ.get("SEED", 1))
    theta, pools = build_problem("smallheavy", "fixed", seed)
    mk = lambda: MetaLearner.robust(8, alpha, rng=seed, clustering="moments_robust")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = mk().fit(pools)
    t_clean = time.perf_counter() - t0
    e0 = parameter_errors(clean.W_, clean.s2_, clean.p_, theta)
    with open(log, "a") as f:
        f.write(f"# clean seed {seed} a {alpha} w {float(e0['w_err']):.3f} s2 {float(e0['s2_err']):.3f} "
                f"time {t_clean:.1f}\n")
    for js in sys.argv[4:]:
        strat = {p: tuple(v) for p, v in json.loads(js).items()}
        try:
            bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                                settings=attack_settings(clean, alpha),
                                rng=np.random.default_rng([seed, draw]))
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                m = mk().fit(bad)
            dt = time.perf_counter() - t0
        except Exception as exc:              # an exception is a finding: log it
            line = f"a {alpha} draw {draw} EXCEPTION {type(exc).__name__}: {exc} {js}"
            print(line, flush=True)
            with open(log, "a") as f:
                f.write(line + "\n")
            continue
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        warned = sorted({str(w.message)[:70] for w in ws if issubclass(w.category, CorruptionWarning)})
        reg = m.diagnostics_["regression"]
        ec = reg.get("example_clip") or {}
        lab = m.light_labels_
        line = (f"seed {seed} a {alpha} draw {draw} W {float(e['w_err']):.3f} s2 {float(e['s2_err']):.3f} "
                f"warned {bool(warned)} {warned} time {dt:.1f} x{dt / t_clean:.2f} "
                f"moved_se {max(ec.get('moved_se') or [0]):.2f} spikes {ec.get('spikes')} excess {ec.get('excess')} "
                f"n {np.bincount(lab[lab >= 0], minlength=theta.k).tolist()} "
                f"evidence {m.diagnostics_.get('evidence')} "
                f"reg_removed {reg.get('removed')}/{reg.get('limit')} "
                f"agree {reg.get('refit_agrees')} recheck {'reclassified' in m.diagnostics_['classification']} filt {[bool(i.get('passed')) for i in reg.get('components', [])].count(False)} {js}")
        print(line, flush=True)
        with open(log, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
