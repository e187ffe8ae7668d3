"""Every registered attack on the pools it names (light2 alone, and all its pools),
default problem, alpha from argv; FIXED_FIT_FROM from argv. Prints one JSON line per fit."""
import sys, json, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
import robust_mlr.stages.regression.robust as R
R.FIXED_FIT_FROM = int(sys.argv[1])
alpha = float(sys.argv[2]); pseed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import ATTACKS, attack_settings, corrupt_pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
theta = make_params(32, 4, rng=pseed)
pools = make_pools(theta, 20_000, 2, 400, 128, 20_000, 8, rng=pseed + 1)
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clean = MetaLearner.robust(4, alpha, rng=0).fit(pools)
    settings = attack_settings(clean, alpha)
    for name, cls in ATTACKS.items():
        tg = getattr(cls, "targets", ())
        for targets in ([["light2"]] if "light2" in tg else []) + ([list(tg)] if tg != ("light2",) else []):
            try:
                bad = corrupt_pools(pools, name, alpha, theta=theta, settings=settings, targets=targets, rng=0)
            except Exception as e:
                print(json.dumps({"attack": name, "targets": targets, "error": repr(e)[:100]})); continue
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                t0 = time.process_time()
                try:
                    m = MetaLearner.robust(4, alpha, rng=0).fit(bad)
                except Exception as e:
                    print(json.dumps({"attack": name, "targets": targets, "raised": repr(e)[:100]})); continue
                t = time.process_time() - t0
            e = parameter_errors(m.W_, m.s2_, m.p_, theta)
            r = m.diagnostics_["regression"]
            print(json.dumps({"attack": name, "targets": targets, "w": round(float(e["w_err"]), 4),
                              "s2": round(float(e["s2_err"]), 4), "p": round(float(e["p_err"]), 4),
                              "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
                              "rounds": [c.get("iterations") for c in r["components"]],
                              "removed": int(np.sum(r["removed"])), "cpu": round(t, 2)}), flush=True)
