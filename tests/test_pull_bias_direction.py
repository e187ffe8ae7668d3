"""The pull's predicted gain must hold without the ⌊αn⌋ light tasks that add
most along the predicted bias direction (Kong, Somani, Kakade, Oh 2020: the
heavy pool anchors the light pool's estimate; docs/robust_pipeline.md, the
pooling; docs/adversary.md, the row cap).

With light tasks of 2–64 examples the predicted ratio of the pooled
estimate's clean mean squared error to the heavy estimate's is ≈ 1 (bias of
hard classification at two examples, about two thirds of it), and the pull
is off. The bias is one vector b: ⌊αn⌋ light tasks of one component whose
rows put most of their energy on b̂, each within the row cap, raise the
capped Gram along b̂ several times over, shrink the predicted bias and bring
the ratio under one half — the pull came back though the rows' responses
are honest. Without the ⌊αn⌋ tasks of largest capped contribution along b̂
the same fit's ratio stays well above the trimmed threshold, and the pull
stays off.
"""

import warnings

import numpy as np
import pytest

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import Attack, attack_settings, corrupt_pools

ALPHA = 0.05
COMPONENT = 2
MIX = 0.7


class _BiasRows(Attack):
    """The component's own light tasks, largest first, rewritten with rows
    putting a share ``mix`` of their energy on ±``u`` (the rest isotropic),
    at ``scale`` × the screen's upper ‖x‖²/d limit, responses of the
    component's true model (ŵ_L is not moved: only its apparent precision
    along u is)."""

    name, stage, targets = "bias_rows", "regression", ("light2",)

    def __init__(self, theta, u, mix=MIX, scale=0.97):
        self.theta, self.u, self.mix, self.scale = theta, u / np.linalg.norm(u), mix, scale

    def choose(self, data, n_bad, ctx, rng):
        key = -data.sizes.astype(float) - 1e6 * (data.components == COMPONENT)
        return np.sort(np.argsort(key, kind="stable")[:n_bad])

    def craft(self, data, idx, ctx, rng):
        th = ctx.settings["thresholds"]["screen"]
        x_hi = float(th["light2"]["x_sq_over_d"][1]) * th.get("sigma_x", 1.0) ** 2
        n, d = int(data.sizes[idx].sum()), data.dim
        g = rng.standard_normal((n, d))
        perp = g - np.outer(g @ self.u, self.u)
        perp /= np.linalg.norm(perp, axis=1, keepdims=True)
        X = np.sqrt(self.mix) * np.sign(rng.standard_normal(n))[:, None] * self.u \
            + np.sqrt(1 - self.mix) * perp
        X *= np.sqrt(self.scale * x_hi * d) / np.linalg.norm(X, axis=1, keepdims=True)
        s = float(self.theta.s[COMPONENT])
        return X, X @ self.theta.W[:, COMPONENT] + s * rng.standard_normal(n)


def _fit(pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, ALPHA, rng=0).fit(pools)


@pytest.fixture(scope="module")
def attacked():
    theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([0, 11]))
    clean = _fit(pools)
    anchor = clean.diagnostics_["regression"]["anchor"]
    # the clean fit's predicted bias of the fitted component nearest the target
    c = int(np.argmin(np.linalg.norm(anchor["W_heavy"] - theta.W[:, [COMPONENT]], axis=0)))
    u = anchor["predicted_bias"][:, c]
    bad = corrupt_pools(pools, _BiasRows(theta, u), ALPHA, theta=theta,
                        settings=attack_settings(clean, ALPHA), rng=np.random.default_rng(19))
    return clean, _fit(bad), c


def test_rows_along_the_bias_do_not_bring_the_pull_back(attacked):
    clean, model, c = attacked
    before = clean.diagnostics_["regression"]["anchor"]
    anchor = model.diagnostics_["regression"]["anchor"]
    assert np.all(before["pull"] == 0.0) and np.min(before["mse_ratio"]) > 0.9
    # the attacked component's ratio falls under one half: the rows work ...
    assert anchor["mse_ratio"][c] < 0.5
    # ... but the pull stays off: without the ⌊αn⌋ tasks of most weight
    # along b̂ the ratio is far above the trimmed threshold
    assert np.all(anchor["pull"] == 0.0) and np.all(anchor["light_weight"] == 0.0)
    assert anchor["mse_ratio_trimmed"][c] > 1.5
