"""Is the readings' share the same under another BLAS thread count?

The draw's seed hashes the first round's sums bit for bit; the BLAS may sum
in another order with more threads. Prints the draw's seed
(``read_entropy``) of one clean fit on the default-size problem with
``READ_CAP`` lowered to 2 000 (monkeypatched, research only); run it under
two thread counts and compare:

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 research/redteam/redteam19/threads.py
    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 python3 research/redteam/redteam19/threads.py
"""
import os
import sys
import warnings

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/redteam18")
import robust_mlr.stages.regression._clipped_test as _ct  # noqa: E402
from common import problem  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

_ct.READ_CAP = 2000
theta, pools = problem("default", 0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    m = MetaLearner.robust(theta.k, 0.05, rng=0).fit(pools)
print(os.environ.get("OPENBLAS_NUM_THREADS"), m.diagnostics_["regression"]["example_clip"]["read_entropy"])
