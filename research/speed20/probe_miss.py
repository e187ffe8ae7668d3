"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_miss.py"""
import warnings, traceback
from collections import Counter
from robust_mlr import MetaLearner, make_params, make_pools, _scaled
from robust_mlr.generator import DEFAULT_PROBLEM
hit, miss = Counter(), Counter()
o = _scaled.ScaledTasks._held_block
def hb(self, lo, hi):
    r = o(self, lo, hi)
    if self._held is not None:
        where = traceback.extract_stack(limit=4)[0]
        (hit if r is not None else miss)[f"{where.filename.split('robust_mlr/')[-1]}:{where.lineno}"] += 1
    return r
_scaled.ScaledTasks._held_block = hb
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"], p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
MetaLearner.robust(4, 0.05, rng=0).fit(pools)
print("hits", sum(hit.values()), "misses", dict(miss))
