"""cProfile of one attacked fit (top functions by cumulative time).

    python3 research/redteam/redteam20/profile_one.py --problem large_above --strategy JSON"""
import argparse
import cProfile
import json
import pstats
import sys
import warnings

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import problem, settings_of  # noqa: E402
from run import corrupt  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--problem", default="default")
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--alpha", type=float, default=0.05)
ap.add_argument("--strategy", default="{}")
ap.add_argument("--lines", type=int, default=40)
a = ap.parse_args()
theta, pools = problem(a.problem, a.seed)
sett = settings_of(a.problem, a.seed, a.alpha, theta, pools)
bad = corrupt(theta, pools, sett, a.alpha, json.loads(a.strategy)) if a.strategy != "{}" else pools
warnings.simplefilter("ignore")
pr = cProfile.Profile()
pr.enable()
MetaLearner.robust(theta.k, a.alpha, rng=a.seed).fit(bad)
pr.disable()
pstats.Stats(pr).sort_stats("cumulative").print_stats(a.lines)
pstats.Stats(pr).sort_stats("tottime").print_stats(15)
