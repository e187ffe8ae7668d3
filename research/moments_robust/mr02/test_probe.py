import sys
sys.path.insert(0, "/work/wt-mr02/tests")
import numpy as np
from test_inflated_level import lever_with_decoys
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression import filter_components
K = int(sys.argv[1]); N = int(sys.argv[2]); A = float(sys.argv[3])
theta = make_params(16, K, rng=0)
data = make_tasks(theta, N, 16, rng=1)
for lever in (3.0, 3.4, 3.8):
    for npairs in (0, 6):
        out = []
        for seed in (2, 3, 4):
            u, bad = lever_with_decoys(theta, data, A, lever, npairs, rng=seed)
            W, _, _, info = filter_components(bad, bad.components, K, alpha=A, rng=0)
            out.append(round(float((W[:, 0] - theta.W[:, 0]) @ u / theta.s[0]), 4))
        print(lever, npairs, out, info["passed"], flush=True)
