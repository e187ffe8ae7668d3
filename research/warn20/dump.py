"""Clean robust fits (MetaLearner.robust(k, 0.05)) at the small sizes of the
finding: per seed, whether a CorruptionWarning was raised, its evidence, and
per component the heavy anchor's record (usable tasks, needed, floors), the
share estimate and the parameter error. One JSON line per fit.
Pools as research/small19/fullfit.py: light1 n1 × 2, heavy nH × 32,
light2 300 × 4; params seed s, pools seed 100 + s, fit rng s.
Usage: dump.py OUT.jsonl d k nH n1 [n1 ...]"""
import sys, json, warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools, metrics

out, d, k, nh = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(out, "a") as fh:
    for n1 in map(int, sys.argv[5:]):
        nw = 0
        for s in range(20):
            theta = make_params(d, k, rng=s)
            pools = make_pools(theta, n1, 2, nh, 32, 300, 4, rng=100 + s)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                m = MetaLearner.robust(k, 0.05, rng=s).fit(pools)
            warned = any(w.category.__name__ == "CorruptionWarning" for w in caught)
            nw += warned
            reg = m.diagnostics_["regression"]
            heavy = reg.get("anchor", {}).get("heavy") or []
            comps = []
            for c, r in enumerate(heavy):
                comps.append({key: (v if not isinstance(v, (np.floating, np.integer)) else v.item())
                              for key, v in r.items() if isinstance(v, (int, float, bool, str,
                                                                        np.floating, np.integer))})
            err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)
            rec = dict(d=d, k=k, nH=nh, n1=n1, seed=s, warned=warned,
                       evidence=m.diagnostics_.get("evidence", []),
                       reg_passed=bool(reg.get("passed", True)), p_hat=m.p_.tolist(),
                       w_err=float(err["w_err"]), heavy=comps,
                       light2_sizes=sorted(set(pools.light2.sizes.tolist())),
                       heavy_sizes=sorted(set(pools.heavy.sizes.tolist())))
            fh.write(json.dumps(rec, default=float) + "\n")
        print(f"d={d} k={k} nH={nh} n1={n1}: warned {nw}/20", flush=True)
