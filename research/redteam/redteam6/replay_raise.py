import numpy as np, sys, json, traceback, warnings
sys.path.insert(0, "research/redteam/redteam6")
from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools, attack_settings
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem
theta, pools = build_problem("default", "fixed", 0)
warnings.simplefilter("ignore")
clean = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
settings = attack_settings(clean, 0.05)
cases = [(72, {"light1": ["extreme_values", {"exponent": 236.71792065060504, "channel": "x", "n_extreme": 3}], "heavy": ["heavy_tailed", {"on": "y"}], "light2": ["copies", {"kind": "identical", "groups": 1}]}),
 (32, {"light1": ["extreme_values", {"exponent": 173.38816305455373, "channel": "x", "n_extreme": 3}], "heavy": ["median_push", {"component": 2, "fill": 0.7936298555713361, "direction": "up"}], "light2": ["copies", {"kind": "constant", "groups": 1}]})]
for num, s in cases:
    strat = {p: tuple(v) for p, v in s.items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings, rng=np.random.default_rng([0, num]))
    try:
        MetaLearner.robust(4, 0.05, rng=0).fit(bad); print("ok", num)
    except Exception as e:
        print("RAISED", num, type(e).__name__, str(e)[:100]); traceback.print_exc(limit=-5)
        for name in ("light1", "heavy", "light2"):
            X = getattr(bad, name).X
            print(name, "frac zero", float(np.mean(X == 0)), "max", float(np.abs(X).max()), "finite", bool(np.isfinite(X).all()))
from robust_mlr.preprocess import Whiten, _decision_sample, AUTO_TRIM, AUTO_ROUNDS
from robust_mlr.covariates import estimate_second_moment, isotropy_test
from robust_mlr.stages.screening import robust_scales, scale_dataset
from robust_mlr.data import Pools
for num, s in cases:
    strat = {p: tuple(v) for p, v in s.items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings, rng=np.random.default_rng([0, num]))
    for seed in range(3):
        sample = _decision_sample(bad, np.random.default_rng(seed))
        sx = robust_scales(sample)[0]
        clipped = Pools(*(scale_dataset(ds, sx, 1.0) for ds in sample))
        S, _ = estimate_second_moment(clipped, max(0.05, AUTO_TRIM), n_rounds=AUTO_ROUNDS)
        print(num, seed, isotropy_test(S, sum(ds.n_examples for ds in sample)), float(np.abs(np.concatenate([ds.X.ravel() for ds in (scale_dataset(d_, sx, 1.0) for d_ in sample)])).max()))
    with np.errstate(all="ignore"):
        S, kept = estimate_second_moment(bad, 0.05, n_rounds=5)
    print("full Sigma finite", bool(np.isfinite(S).all()), np.linalg.eigvalsh(S)[[0,-1]] if np.isfinite(S).all() else None)
