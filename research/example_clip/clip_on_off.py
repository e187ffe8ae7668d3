"""One strategy on the small-heavy problem (seed 1), fitted with the
regression filter's refit off (``example_clip=None``), with the clip alone
(``example_clip=1.5, leverage_cap=None``) and with the clip and the
Mallows weights (the default, ``leverage_cap=4``), on the same corrupted
pools (draw [1, DRAW]).

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/example_clip/clip_on_off.py ALPHA DRAW 'JSON'
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
from robust_mlr.stages.regression import FilterRegression

from run import build_problem



def learner(alpha, clip, cap=4.0):
    return MetaLearner.robust(8, alpha, rng=1, clustering="moments_robust",
                              regression=FilterRegression(example_clip=clip, leverage_cap=cap))


def main():
    alpha, draw, js = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    theta, pools = build_problem("smallheavy", "fixed", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = learner(alpha, 1.5).fit(pools)
    strat = {p: tuple(v) for p, v in json.loads(js).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                        settings=attack_settings(clean, alpha),
                        rng=np.random.default_rng([1, draw]))
    for clip, cap in ((None, None), (1.5, None), (1.5, 4.0)):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = learner(alpha, clip, cap).fit(bad)
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        print(f"clip {clip} leverage_cap {cap}: w {float(e['w_err']):.3f} s2 {float(e['s2_err']):.3f} "
              f"warned {warned}", flush=True)


if __name__ == "__main__":
    main()
