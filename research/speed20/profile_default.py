"""cProfile of the robust fit on the default problem (one BLAS thread).

Run: PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed19/profile_default.py [--sort tottime] [--n 40]
"""
import argparse
import cProfile
import pstats
import warnings

from threadpoolctl import threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

ap = argparse.ArgumentParser()
ap.add_argument("--sort", default="cumulative")
ap.add_argument("--n", type=int, default=60)
ap.add_argument("--fits", type=int, default=3)
args = ap.parse_args()
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner.robust(p["k"], 0.05, rng=0).fit(pools)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(args.fits):
        MetaLearner.robust(p["k"], 0.05, rng=0).fit(pools)
    pr.disable()
pstats.Stats(pr).sort_stats(args.sort).print_stats(args.n)
if args.sort == "callers":
    pass
