"""The agreement test on its red team (tests/test_example_clip.py's diluted
lever rows) and on the clean pools: moved_se, the new allowance bias_se."""
import sys
sys.path.insert(0, "tests")
import numpy as np
from robust_mlr.stages.regression.robust import filter_components
from adversary_helpers import light2_problem
import test_example_clip as T

theta, bad, labels = T.diluted.__wrapped__() if hasattr(T.diluted, "__wrapped__") else T.diluted()
_, _, _, info = filter_components(bad, labels, 2, alpha=0.1, rng=0)
c = info["example_clip"]
print("diluted: moved_se", c["moved_se"], "bias_se", c["bias_se"], "refit_agrees", info["refit_agrees"])
theta, pools = light2_problem()
clean = pools.light2
_, _, _, info = filter_components(clean, clean.components, 2, alpha=0.1, rng=0)
c = info["example_clip"]
print("clean: moved_se", c["moved_se"], "bias_se", c["bias_se"], "refit_agrees", info["refit_agrees"])
