import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def small_problem():
    from robust_mlr import make_params, make_pools
    theta = make_params(12, 3, rng=0)
    pools = make_pools(theta, 8000, 2, 120, 96, 4000, 8, rng=1)
    return theta, pools
