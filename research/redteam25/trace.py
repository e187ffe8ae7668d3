"""Trace the filter runs of one pickled pool (built by attack.py gen), new vs
covariate scale off: per filter_pca call the kept count and iterations of each
restart, the chosen run, and the covariate scales of the first rounds.

    PYTHONPATH=$PWD python3 research/redteam25/trace.py "CONFIG LINE"
"""
import os, sys, pickle, warnings
import numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from attack import CACHE, key, parse
from robust_mlr import MetaLearner, metrics, CorruptionWarning
from robust_mlr.stages.subspace import robust_pca as rp
import robust_mlr.stages.subspace.robust as rb

line = sys.argv[1]
cfg = parse(line)
blob = pickle.load(open(os.path.join(CACHE, key(line) + ".pkl"), "rb"))
log = []
o_cs, o_fp = rp._covariate_scale, rb.filter_pca
def cs(*a):
    r = o_cs(*a); log.append(round(r, 2)); return r
def fp(*a, **k):
    r = o_fp(*a, **k)
    i = r.info
    print(f"    filter_pca: n={a[0].shape[0]} removed={i['n_removed']} chosen={i['chosen_run']} "
          f"run_kept={i['run_kept']} run_it={i['run_iterations']} final_excess={i['final_excess']:.3f}")
    print(f"    covariate scales, every round of every run: {log}")
    log.clear()
    return r
rp._covariate_scale, rb.filter_pca = cs, fp
for name, marg in (("new", 1.1), ("off", float("inf"))):
    rp.COVARIATE_MARGIN = marg
    print(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(blob["theta"].W.shape[1], cfg["alpha"], rng=cfg["seed"]).fit(blob["pools"])
    w = [str(x.message)[:160] for x in caught if issubclass(x.category, CorruptionWarning)]
    print(f"  sub {metrics.subspace_error(m.U_, blob['theta']):.4f} removed {m.diagnostics_['subspace']['removed']}"
          f" warned {w}")
