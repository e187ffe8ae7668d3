"""The ladder of leverage against the robust learner: W at its clean error,
and the task filter's rounds bounded (it keeps drawing at a fixed fit
until its test passes there; one draw a round took 7–14 rounds a
component here)."""
import warnings

import numpy as np
import pytest

from robust_mlr import MetaLearner, ValidationError, make_params, make_pools
from robust_mlr.adversary import Ladder, Poolwise, attack_settings, corrupt_pools
from robust_mlr.metrics import parameter_errors


@pytest.mark.parametrize("seed", [0, 1])
def test_ladder_costs_the_filter_a_few_rounds(seed):
    theta = make_params(20, 2, rng=seed)
    pools = make_pools(theta, 4000, 2, 100, 64, 8000, 8, rng=seed + 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = MetaLearner.robust(2, 0.05, rng=seed).fit(pools)
        bad = corrupt_pools(pools, Poolwise(light2=Ladder(directions=12)), 0.05, theta=theta,
                            settings=attack_settings(clean, 0.05), rng=seed)
        model = MetaLearner.robust(2, 0.05, rng=seed).fit(bad)
    rounds = [c["iterations"] for c in model.diagnostics_["regression"]["components"]]
    assert max(rounds) <= 3, rounds                      # measured 2 (4 from the third round)
    err = parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
    err_clean = parameter_errors(clean.W_, clean.s2_, clean.p_, theta)["w_err"]
    assert err <= err_clean + 0.02                       # measured 0.027 / 0.028 and 0.028 / 0.032


def test_ladder_rows_are_the_ladder():
    """The replaced tasks push along ``directions`` directions ⊥ span W (their
    rows' second moment there has that many eigenvalues far above the
    rest), and every row's residual under some component c is exactly
    residual·s_c (its own: the responses are noise-free)."""
    theta = make_params(12, 2, rng=0)
    pools = make_pools(theta, 200, 2, 20, 16, 400, 6, rng=1)
    bad = corrupt_pools(pools, Poolwise(light2=Ladder(directions=3, levels=2, ratio=4.0,
                                                      lever=6.0, residual=2.0)),
                        0.1, theta=theta, rng=2)
    data, mask = bad.light2, bad.masks["light2"]
    rows = np.repeat(mask, data.sizes)
    X, y = data.X[rows], data.y[rows]
    Q = np.linalg.qr(theta.W)[0]
    off = X - (X @ Q) @ Q.T
    eig = np.linalg.eigvalsh(off.T @ off / len(off))[::-1]
    assert eig[2] > 4 * eig[3]                    # ≈ 8.5 against ≈ 1
    res = np.abs(y[:, None] - X @ theta.W)
    assert np.isclose(res, 2.0 * theta.s[None, :], rtol=0, atol=1e-9).any(axis=1).all()


def test_ladder_parameters_checked():
    with pytest.raises(ValidationError, match="directions"):
        Ladder(directions=0)
    with pytest.raises(ValidationError, match="ratio"):
        Ladder(ratio=1.0)
