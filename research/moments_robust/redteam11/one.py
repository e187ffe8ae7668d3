"""One strategy on the small-heavy problem (seed 1), the defended learner
only (clip 1.5 and Mallows weights, the default), draw [1, DRAW].

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam11/one.py ALPHA DRAW 'JSON'
"""
import json
import sys
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem


def main():
    alpha, draw, js = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    theta, pools = build_problem("smallheavy", "fixed", 1)
    mk = lambda: MetaLearner.robust(8, alpha, rng=1, clustering="moments_robust")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = mk().fit(pools)
    strat = {p: tuple(v) for p, v in json.loads(js).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                        settings=attack_settings(clean, alpha),
                        rng=np.random.default_rng([1, draw]))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = mk().fit(bad)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    warned = [str(w.message)[:90] for w in ws if issubclass(w.category, CorruptionWarning)]
    info = {}
    try:
        info = {k: v for k, v in m.settings_["regression"].items() if k in ("spikes", "clipped", "iterations", "removed")}
    except Exception:
        pass
    print(f"a {alpha} draw {draw} w {float(e['w_err']):.3f} s2 {float(e['s2_err']):.3f} "
          f"warned {bool(warned)} {warned[:1]} {info} {js}", flush=True)


if __name__ == "__main__":
    main()
