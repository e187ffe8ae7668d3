"""Capture the light-1 pool the robust learner hands to its subspace stage
(screened, whitened) on the bench_covariate_laws problems."""
import sys, warnings
import numpy as np
sys.path.insert(0, "benchmarks")
from bench_covariate_laws import law_problem, QUICK, SMALL, FULL
from robust_mlr import MetaLearner
import robust_mlr.stages.subspace.stages as st

SHAPES = dict(quick=QUICK, small=SMALL, full=FULL)


def captured(law, seed, shape="quick", alpha=0.01, attack=None, att_alpha=None):
    sh = SHAPES[shape]
    theta, pools, test = law_problem(law, sh["d"], sh["k"], sh["sizes"], seed)
    if attack is not None:
        from robust_mlr.adversary import corrupt_pools
        pools = corrupt_pools(pools, attack, att_alpha, theta=theta, rng=seed + 7)
        alpha = att_alpha
    box = {}
    orig = st.filter_subspace

    def spy(data, k, **kw):
        box["data"], box["k"], box["kw"] = data, k, kw
        res = orig(data, k, **kw)
        box["res"] = res
        return res
    st.filter_subspace = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MetaLearner.robust(sh["k"], alpha, rng=seed).fit(pools)
    finally:
        st.filter_subspace = orig
    return theta, box
