"""Replay the two α = 0.05 fixed-size search fits that raised, and show why.

Light-2 identical-example copies flip ``covariates="auto"`` to whitening;
light-1 extreme covariates then overflow the whitening's second moment,
which is estimated on the raw pools.

    PYTHONPATH=$PWD:research/redteam/redteam6 python3 research/redteam/redteam6/replay_raise.py
"""
import traceback
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.covariates import estimate_second_moment, isotropy_test
from robust_mlr.data import Pools
from robust_mlr.preprocess import AUTO_ROUNDS, AUTO_TRIM, _decision_sample
from robust_mlr.stages.screening import robust_scales, scale_dataset

from run import build_problem

#: (search trial number, strategy) of the two fits that raised
CASES = [(72, {"light1": ["extreme_values", {"exponent": 236.71792065060504, "channel": "x",
                                             "n_extreme": 3}],
               "heavy": ["heavy_tailed", {"on": "y"}],
               "light2": ["copies", {"kind": "identical", "groups": 1}]}),
         (32, {"light1": ["extreme_values", {"exponent": 173.38816305455373, "channel": "x",
                                             "n_extreme": 3}],
               "heavy": ["median_push", {"component": 2, "fill": 0.7936298555713361,
                                         "direction": "up"}],
               "light2": ["copies", {"kind": "constant", "groups": 1}]})]
ALPHA = 0.05


def main():
    theta, pools = build_problem("default", "fixed", 0)
    warnings.simplefilter("ignore")
    settings = attack_settings(MetaLearner.robust(4, ALPHA, rng=0).fit(pools), ALPHA)
    for num, s in CASES:
        strat = {p: tuple(v) for p, v in s.items()}
        bad = corrupt_pools(pools, strategy_attack(strat), ALPHA, theta=theta, settings=settings,
                            rng=np.random.default_rng([0, num]))
        try:
            MetaLearner.robust(4, ALPHA, rng=0).fit(bad)
            print(num, "fitted")
        except Exception:  # noqa: BLE001 - the finding
            print(num, "raised:")
            traceback.print_exc(limit=-2)
        for seed in range(3):                      # the decision on three samples
            sample = _decision_sample(bad, np.random.default_rng(seed))
            sx = robust_scales(sample)[0]
            clipped = Pools(*(scale_dataset(ds, sx, 1.0) for ds in sample))
            S, _ = estimate_second_moment(clipped, max(ALPHA, AUTO_TRIM), n_rounds=AUTO_ROUNDS)
            print("   decision sample", seed, isotropy_test(S, sum(ds.n_examples for ds in sample)))
        with np.errstate(all="ignore"):
            S, _ = estimate_second_moment(bad, ALPHA, n_rounds=5)
        print("   whitening moment finite:", bool(np.isfinite(S).all()))


if __name__ == "__main__":
    main()
