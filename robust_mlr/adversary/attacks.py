"""The catalogue of attacks (threat model of Kong et al., NeurIPS 2020). Each class documents what it targets,
why it works, and its parameters. All are deterministic given the rng."""

from __future__ import annotations

import numpy as np

from ..data import Pools
from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import model_examples, orthogonal_directions, span_basis, statistic_examples

__all__ = ["SubspaceSpike", "MultiDirection", "VarianceHiding", "ThresholdAware",
           "FakeCluster", "ClusterBridging", "CentreShift", "SignFlip", "GradientAligned",
           "LeveragePoints", "RandomLabels", "HeavyTailed", "Targeted", "CATALOGUE"]


def _lambda_k(theta):
    """Smallest non-zero eigenvalue λ_k of M = Σ p_a w_a w_aᵀ."""
    return float(np.linalg.eigvalsh(theta.moment)[-theta.k])


def _alpha_of(idx, data):
    return max(idx.size / data.n_tasks, 1e-12)


# --------------------------------------------------------------- subspace stage
@register
class SubspaceSpike(Attack):
    """Spike orthogonal to span(W) — aimed at the subspace stage.

    Corrupted tasks have y·x ≈ c v in both halves for one direction v ⊥
    span(W), so each adds c² v vᵀ to the split-product moment M̂ (and t c² v vᵀ
    to the per-task second moment). With c² = strength · λ_k(M) / α the spike's
    eigenvalue is ``strength`` times the weakest signal eigenvalue, so plain PCA
    swaps a true direction for v: the MLR analogue of the robust-PCA bad example (NeurIPS 2020, Figure 1).
    Responses have magnitude c (a few σ): a norm filter can see them.

    Parameters
    ----------
    strength : float
        Spike eigenvalue in units of λ_k(M) (default 3).
    """

    name, stage, targets = "subspace_spike", "subspace", ("light1",)

    def __init__(self, strength=3.0):
        self.strength = float(strength)

    def _targets(self, data, idx, ctx, rng, n_dirs):
        theta = ctx.need_theta(self.name)
        V = orthogonal_directions(theta.W, n_dirs, rng)
        c = np.sqrt(self.strength * _lambda_k(theta) * V.shape[1] / _alpha_of(idx, data))
        return c * V.T[np.arange(idx.size) % V.shape[1]]

    def craft(self, data, idx, ctx, rng):
        T = self._targets(data, idx, ctx, rng, 1)
        return statistic_examples(data.sizes[idx], T, T, rng)


@register
class MultiDirection(SubspaceSpike):
    """The spike budget spread over several orthogonal directions ⊥ span(W).

    Task i pushes direction v_{i mod m}; each direction gets α/m of the tasks
    and an eigenvalue ``strength``·λ_k(M), so m true directions can be
    displaced at once while each direction's spike is m times less
    concentrated than a single spike of the same total energy.

    Parameters
    ----------
    n_directions : int
        m (default 2; capped at d − k).
    strength : float
        Eigenvalue of each spurious direction in units of λ_k(M) (default 3).
    """

    name = "multi_direction"

    def __init__(self, n_directions=2, strength=3.0):
        super().__init__(strength)
        self.n_directions = int(n_directions)

    def craft(self, data, idx, ctx, rng):
        T = self._targets(data, idx, ctx, rng, self.n_directions)
        return statistic_examples(data.sizes[idx], T, T, rng)


@register
class VarianceHiding(Attack):
    """Tail flip: hide a true direction by anti-correlated halves.

    Corrupted tasks have y·x ≈ +c u in the first half and −c u in the second,
    u the direction of the heaviest component w_1. Their split products add
    −c² u uᵀ to M̂, cancelling the signal along u with points of moderate
    norm (c² = strength · p_1 ||w_1||² / α). The per-task second moment (used
    by the robust filter) is PSD and cannot be lowered this way, which is why
    the robust statistic resists it.

    Parameters
    ----------
    strength : float
        Fraction of the signal eigenvalue removed (default 1.5).
    """

    name, stage, targets = "variance_hiding", "subspace", ("light1",)

    def __init__(self, strength=1.5):
        self.strength = float(strength)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = int(np.argmax(theta.p * np.sum(theta.W ** 2, 0)))
        w = theta.W[:, a]
        u = w / np.linalg.norm(w)
        c = np.sqrt(self.strength * theta.p[a] * (w @ w) / _alpha_of(idx, data))
        T = np.tile(c * u, (idx.size, 1))
        return statistic_examples(data.sizes[idx], T, -T, rng)


@register
class ThresholdAware(Attack):
    """Points placed just inside a filter's trimming quantiles.

    The adversary computes the clean tasks' scores τ_i = ||Qᵀ z_i||² with Q
    a basis of span(W) and z_i = t_i^{-1/2} Σ_j y_ij x_ij (what a filter
    trims on), and writes tasks whose score equals the (1 − 2α_alg) quantile —
    never trimmed — while carrying an extra component c v along v ⊥ span(W)
    with c² = strength · λ_k(M) / α, enough to tilt the estimated subspace.

    Parameters
    ----------
    strength : float
        Spike energy in units of λ_k(M) (default 2).
    """

    name, stage, targets = "threshold_aware", "subspace", ("light1",)

    def __init__(self, strength=2.0):
        self.strength = float(strength)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        alg_alpha = float(ctx.settings.get("alpha", _alpha_of(idx, data))) or _alpha_of(idx, data)
        Q = span_basis(theta.W)
        t = data.sizes.astype(float)
        z = data.task_sums(data.X * data.y[:, None]) / np.sqrt(t)[:, None]
        tau = np.sum((z @ Q) ** 2, axis=1)
        q = np.quantile(tau, max(1 - 2 * alg_alpha, 0.5))
        v = orthogonal_directions(theta.W, 1, rng)[:, 0]
        c2 = self.strength * _lambda_k(theta) / _alpha_of(idx, data)
        E = rng.standard_normal((idx.size, Q.shape[1]))
        E /= np.linalg.norm(E, axis=1, keepdims=True)
        Z = np.sqrt(q) * (E @ Q.T) + np.sqrt(c2) * v
        B = Z / np.sqrt(data.sizes[idx])[:, None]          # per-example mean y·x
        return statistic_examples(data.sizes[idx], B, B, rng)


# ------------------------------------------------------------- clustering stage
@register
class FakeCluster(Attack):
    """A coherent fake component with realistic noise — aimed at clustering.

    All corrupted tasks follow y = xᵀβ_fake + s ε, β_fake in span(W) (so the
    subspace stage cannot see it) at the norm of the true w's, pointing away
    from all of them. Once α ≥ p_min the fake cluster is as large as a real
    one and *no* estimator can tell which k of the k + 1 clusters are real:
    that is the information-theoretic limit of this attack.

    Parameters
    ----------
    direction : array of shape (d,), optional
        β_fake; default −(Σ_a w_a) rescaled to the mean ||w_a||.
    """

    name, stage, targets = "fake_cluster", "clustering", ("heavy",)

    def __init__(self, direction=None):
        self.direction = direction

    def beta(self, theta):
        if self.direction is not None:
            return np.asarray(self.direction, float)
        b = -theta.W.sum(axis=1)
        return b / np.linalg.norm(b) * np.linalg.norm(theta.W, axis=0).mean()

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        Wr = np.tile(self.beta(theta), (idx.size, 1))
        return model_examples(data.sizes[idx], Wr, theta.s.mean(), rng)


@register
class ClusterBridging(Attack):
    """Tasks on the segment between two true components — chains linkage.

    Corrupted tasks use w = (1 − λ) w_a + λ w_b with λ evenly spaced in (0, 1)
    for the closest pair (a, b), so single linkage sees a path of small
    distances and merges the two clusters.
    """

    name, stage, targets = "cluster_bridging", "clustering", ("heavy",)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        G = theta.W.T @ theta.W
        D = np.diag(G)[:, None] + np.diag(G)[None, :] - 2 * G
        D[np.diag_indices(theta.k)] = np.inf
        a, b = np.unravel_index(np.argmin(D), D.shape)
        lam = (np.arange(idx.size) + 0.5) / idx.size
        Wr = np.outer(1 - lam, theta.W[:, a]) + np.outer(lam, theta.W[:, b])
        s = (1 - lam) * theta.s[a] + lam * theta.s[b]
        return model_examples(data.sizes[idx], Wr, s, rng)


@register
class CentreShift(Attack):
    """Tasks slightly displaced from a true component to bias its mean.

    Corrupted tasks use w_a + shift · Δ · u with a the smallest component, Δ
    the separation and u a unit direction orthogonal to span(W) (invisible
    to the projected clustering, absorbed into cluster a, and biasing every
    mean or least-squares estimate of w_a by ≈ (α/p_a) shift Δ).

    Parameters
    ----------
    shift : float
        Displacement in units of Δ (default 1).
    in_span : bool
        Displace inside span(W) instead (then clustering sees it).
    """

    name, stage, targets = "centre_shift", "clustering", ("heavy", "light2")

    def __init__(self, shift=1.0, in_span=False):
        self.shift, self.in_span = float(shift), bool(in_span)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = int(np.argmin(theta.p))
        if self.in_span:
            others = np.delete(theta.W, a, axis=1).mean(axis=1) if theta.k > 1 else theta.W[:, a]
            u = theta.W[:, a] - others
        else:
            u = orthogonal_directions(theta.W, 1, rng)[:, 0]
        u = u / np.linalg.norm(u)
        delta = theta.separation if np.isfinite(theta.separation) else np.linalg.norm(theta.W[:, a])
        w = theta.W[:, a] + self.shift * delta * u
        return model_examples(data.sizes[idx], np.tile(w, (idx.size, 1)), theta.s[a], rng)


@register
class SignFlip(Attack):
    """y → −y on the chosen tasks (covariates kept).

    Invisible to second-moment subspace estimation (w wᵀ = (−w)(−w)ᵀ), it
    creates clusters at −w_a that linkage or classification must absorb.
    """

    name, stage, targets = "sign_flip", "clustering", ("heavy", "light2")

    def craft(self, data, idx, ctx, rng):
        from ..data import example_rows
        rows = example_rows(data.offsets, idx)
        return data.X[rows].copy(), -data.y[rows]


# -------------------------------------------------------- regression stage
@register
class GradientAligned(Attack):
    """SEVER-style attack on the per-component least squares.

    Corrupted tasks look like component a (they classify there) but their
    residuals are aligned: y = xᵀ(w_a + c u) + s_a ε for one direction u ⊥ w_a,
    so every corrupted task's least-squares gradient Xᵀ(Xw_a − y) ≈ −t c u
    points the same way, with norm comparable to a clean task's gradient
    (c = strength · s_a). The refit moves by ≈ (α/p_a) c along u.

    Parameters
    ----------
    strength : float
        c in units of s_a (default 3).
    """

    name, stage, targets = "gradient_aligned", "regression", ("light2",)

    def __init__(self, strength=3.0):
        self.strength = float(strength)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = int(np.argmin(theta.p))
        u = orthogonal_directions(theta.W[:, [a]], 1, rng)[:, 0]
        w = theta.W[:, a] + self.strength * theta.s[a] * u
        return model_examples(data.sizes[idx], np.tile(w, (idx.size, 1)), theta.s[a], rng)


@register
class LeveragePoints(Attack):
    """Large-norm covariates labelled by a wrong model.

    x ~ N(0, scale² I) and y = xᵀ(−w_a) for a component a: each such example
    weighs scale² times more in XᵀX, so a few tasks dominate least squares of
    the component they are classified into.

    Parameters
    ----------
    scale : float
        Covariate scale (default 5).
    """

    name, stage, targets = "leverage", "regression", ("light2",)

    def __init__(self, scale=5.0):
        self.scale = float(scale)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = rng.integers(theta.k, size=idx.size)
        return model_examples(data.sizes[idx], -theta.W.T[a], 0.0, rng, x_scale=self.scale)


# ------------------------------------------------------------------ generic
@register
class RandomLabels(Attack):
    """Oblivious noise: Gaussian x, responses independent of x with the
    clean responses' standard deviation."""

    name, stage = "random_labels", "generic"

    def craft(self, data, idx, ctx, rng):
        n = int(data.sizes[idx].sum())
        return rng.standard_normal((n, data.dim)), rng.standard_normal(n) * data.y.std()


@register
class HeavyTailed(Attack):
    """Heavy-tailed noise: the true model with Cauchy noise on y (``on="y"``)
    or Student-t(1.5) covariates (``on="x"``); all values finite."""

    name, stage = "heavy_tailed", "generic"

    def __init__(self, on="y"):
        if on not in ("x", "y"):
            raise ValidationError(f"on must be 'x' or 'y', got {on!r}")
        self.on = on

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        sizes = data.sizes[idx]
        z = rng.choice(theta.k, size=idx.size, p=theta.p)
        n = int(sizes.sum())
        zz = np.repeat(z, sizes)
        if self.on == "x":
            X = rng.standard_t(1.5, size=(n, data.dim))
            y = np.einsum("ij,ji->i", X, theta.W[:, zz]) + theta.s[zz] * rng.standard_normal(n)
        else:
            X = rng.standard_normal((n, data.dim))
            y = np.einsum("ij,ji->i", X, theta.W[:, zz]) + theta.s[zz] * rng.standard_cauchy(n)
        return X, y


class Targeted(Attack):
    """Budget-targeting wrapper: spend the budget on chosen pools only.

    ``Targeted(attack, "auto")`` attacks the pool of the attack's stage
    (subspace → light1, clustering → heavy, regression → light2, generic →
    heavy; preprocessing → the attack's own targets), the pool that matters
    most for it; ``Targeted(attack, ["heavy"])`` or ``Targeted(attack,
    "heavy")`` names pools.
    """

    name = "targeted"

    def __init__(self, attack, pools="auto"):
        from ._base import get_attack
        self.attack = get_attack(attack)
        stage_pool = {"subspace": ("light1",), "clustering": ("heavy",),
                      "regression": ("light2",), "generic": ("heavy",)}
        if isinstance(pools, str) and pools != "auto":
            pools = (pools,)                      # one pool's name, not its letters
        if pools == "auto":
            self.targets = stage_pool.get(self.attack.stage, tuple(self.attack.targets))
        else:
            self.targets = tuple(pools)
        bad = [p for p in self.targets if p not in Pools.names]
        if bad:
            raise ValidationError(f"pools {bad} unknown; pools are {Pools.names}")
        self.stage = self.attack.stage

    def choose(self, data, n_bad, ctx, rng):
        return self.attack.choose(data, n_bad, ctx, rng)

    def craft(self, data, idx, ctx, rng):
        return self.attack.craft(data, idx, ctx, rng)


#: Names of the attacks of this catalogue (the adaptive families of
#: :mod:`robust_mlr.adversary.adaptive` are searched by the red team instead).
CATALOGUE = ("subspace_spike", "multi_direction", "variance_hiding", "threshold_aware",
             "fake_cluster", "cluster_bridging", "centre_shift", "sign_flip",
             "gradient_aligned", "leverage", "random_labels", "heavy_tailed")
