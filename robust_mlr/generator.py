"""Synthetic mixtures of linear regressions (Kong et al., ICML 2020).

The meta-parameters θ = (W, s, p) are held in :class:`MLRParams`. By default
they are normalised so that ``max_a ρ_a = 1`` with
``ρ_a² = s_a² + ||w_a||²``: every response then has variance at most 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._covariate_laws import LAWS, draw as draw_covariates, second_moment
from ._params import unknown_option
from ._validation import check_array, check_int, check_k_d, check_rng, check_float
from .data import MetaDataset, Pools
from .exceptions import ValidationError

__all__ = ["MLRParams", "make_params", "make_tasks", "make_pools", "covariate_moment",
           "pareto_sizes", "DEFAULT_PROBLEM", "QUICK_PROBLEM", "default_problem"]

#: The default problem of the toolkit, shared by the demo, the studies'
#: reference points, the benchmarks and the golden test (before ρ
#: normalisation: orthonormal W, s = 1, uniform p).
DEFAULT_PROBLEM = dict(d=32, k=4, n_light1=20_000, t_light1=2, n_heavy=400, t_heavy=128,
                       n_light2=20_000, t_light2=8)
#: A smaller problem of the same shape (a few seconds end to end).
QUICK_PROBLEM = dict(d=16, k=3, n_light1=6_000, t_light1=2, n_heavy=150, t_heavy=96,
                     n_light2=4_000, t_light2=8)


@dataclass(frozen=True)
class MLRParams:
    """Meta-parameters of a mixture of linear regressions.

    Attributes
    ----------
    W : ndarray, shape (d, k)
        Regression vectors as columns.
    s : ndarray, shape (k,)
        Noise standard deviations.
    p : ndarray, shape (k,)
        Mixing weights (sum to one).
    """

    W: np.ndarray
    s: np.ndarray
    p: np.ndarray

    def __post_init__(self):
        W = check_array(self.W, "W", ndim=2)
        d, k = W.shape
        s = check_array(self.s, "s", ndim=1, shape=(k,))
        p = check_array(self.p, "p", ndim=1, shape=(k,))
        if np.any(s < 0):
            raise ValidationError(f"s must be nonnegative, got {s}")
        if np.any(p < 0) or abs(p.sum() - 1) > 1e-8:
            raise ValidationError(f"p must be a probability vector, got {p}")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "s", s)
        object.__setattr__(self, "p", p)

    @property
    def d(self):
        """Dimension."""
        return self.W.shape[0]

    @property
    def k(self):
        """Number of components."""
        return self.W.shape[1]

    @property
    def rho(self):
        """ρ_a = sqrt(s_a² + ||w_a||²), shape (k,)."""
        return np.sqrt(self.s ** 2 + np.sum(self.W ** 2, axis=0))

    @property
    def separation(self):
        """Δ = min_{a≠b} ||w_a − w_b|| (inf for k = 1)."""
        G = self.W.T @ self.W
        sq = np.diag(G)[:, None] + np.diag(G)[None, :] - 2 * G
        sq[np.diag_indices(self.k)] = np.inf
        return float(np.sqrt(max(sq.min(), 0.0)))

    @property
    def moment(self):
        """M = Σ_a p_a w_a w_aᵀ, shape (d, d)."""
        return (self.W * self.p) @ self.W.T

    @property
    def noise_floor(self):
        """Irreducible prediction error Σ_a p_a s_a²."""
        return float(self.p @ self.s ** 2)


def make_params(d, k, *, W="orthonormal", s=1.0, p="uniform", normalize=True, rng=None):
    """Draw meta-parameters θ = (W, s, p).

    Parameters
    ----------
    d, k : int
        Dimension and number of components (``1 <= k <= d``).
    W : {"orthonormal", "gaussian"} or array of shape (d, k)
        ``"orthonormal"``: a random d × k matrix with orthonormal columns;
        ``"gaussian"``: i.i.d. N(0, 1/d) entries (columns of norm ≈ 1).
    s : float, array of shape (k,) or "random"
        Noise levels; ``"random"`` draws them uniformly in [0.5, 1.5].
    p : "uniform", "random" or array of shape (k,)
        Mixing weights; ``"random"`` draws Dirichlet(2, …, 2).
    normalize : bool
        Rescale W and s jointly so that ``max ρ_a = 1`` (the toolkit's scale convention).
    rng : None, int or Generator

    Returns
    -------
    MLRParams
    """
    rng = check_rng(rng)
    d = check_int(d, "d", min_val=1)
    k = check_k_d(k, d)
    if isinstance(W, str):
        if W == "orthonormal":
            Q, R = np.linalg.qr(rng.standard_normal((d, k)))
            Wm = Q * np.sign(np.diag(R))
        elif W == "gaussian":
            Wm = rng.standard_normal((d, k)) / np.sqrt(d)
        else:
            raise ValidationError(f"W must be 'orthonormal', 'gaussian' or an array, got {W!r}")
    else:
        Wm = check_array(W, "W", ndim=2, shape=(d, k))
    if isinstance(s, str):
        if s != "random":
            raise ValidationError(f"s must be a number, an array or 'random', got {s!r}")
        sv = rng.uniform(0.5, 1.5, size=k)
    else:
        sv = check_array(s, "s")
        if sv.ndim and sv.shape != (k,):
            raise ValidationError(f"s has shape {sv.shape}; expected a number or one noise "
                                  f"level per component, shape (k,) = ({k},)")
        sv = np.full(k, float(sv)) if sv.ndim == 0 else sv.copy()
    if isinstance(p, str):
        if p == "uniform":
            pv = np.full(k, 1.0 / k)
        elif p == "random":
            pv = rng.dirichlet(np.full(k, 2.0))
        else:
            raise ValidationError(f"p must be 'uniform', 'random' or an array, got {p!r}")
    else:
        pv = check_array(p, "p", ndim=1, shape=(k,))
    params = MLRParams(Wm, sv, pv)
    if normalize:
        scale = params.rho.max()
        if scale > 0:
            params = MLRParams(Wm / scale, sv / scale, pv)
    return params


def pareto_sizes(t_min, t_max, shape=1.0):
    """A heavy-tailed task-size law for :func:`make_tasks`: t = ⌊t_min·U^{-1/shape}⌋
    truncated at ``t_max`` (a discrete Pareto: P(t ≥ s) ≈ (t_min/s)^shape).

    With t_min = 2, t_max = 64 and shape 1 half the tasks have t ≤ 3 while
    the largest 5 % (t ≥ 40) hold about a third of all examples.

    Returns
    -------
    callable ``(rng, n) -> sizes``

    Examples
    --------
    >>> import numpy as np
    >>> s = pareto_sizes(2, 64)(np.random.default_rng(0), 1000)
    >>> int(s.min()) >= 2 and int(s.max()) <= 64
    True
    """
    t_min = check_int(t_min, "t_min", min_val=1)
    t_max = check_int(t_max, "t_max", min_val=t_min)
    shape = check_float(shape, "shape", min_val=0.0, include_min=False)

    def draw(rng, n):
        u = 1.0 - rng.random(n)                       # in (0, 1]
        return np.minimum(np.floor(t_min * u ** (-1.0 / shape)), t_max).astype(np.int64)
    return draw


def _draw_sizes(n, t, rng):
    what = "t(rng, n)" if callable(t) else "t"
    sizes = np.asarray(t(rng, n) if callable(t) else t)
    if sizes.ndim == 0 and not callable(t):
        if not np.issubdtype(sizes.dtype, np.integer):
            raise ValidationError(f"t must be an integer task size (or {n} of them), got {t!r}")
        sizes = np.full(n, sizes)
    if sizes.ndim != 1 or sizes.shape[0] != n:
        got = f"{sizes.shape[0]} sizes" if sizes.ndim == 1 else f"shape {sizes.shape}"
        raise ValidationError(f"{what} must give one size per task, {n} for n={n}; got {got}")
    if not np.issubdtype(sizes.dtype, np.integer):
        raise ValidationError(f"{what} must give integer task sizes, got dtype {sizes.dtype}")
    if n and sizes.min() < 1:
        raise ValidationError(f"task sizes must be >= 1, got min {sizes.min()}")
    return sizes.astype(np.int64)


def _draw(rng, shape, dist, df):
    if dist == "gaussian":
        return rng.standard_normal(shape)
    if dist == "student":
        # Student t scaled to unit variance (needs df > 2)
        return rng.standard_t(df, size=shape) * np.sqrt((df - 2) / df)
    raise ValidationError(f"distribution must be 'gaussian' or 'student', got {dist!r}")


_STUDENT_LAWS = ("student", "correlated_student")     # the covariate laws that read df


def make_tasks(params, n, t, *, x_dist="gaussian", noise="gaussian", df=None, rng=None):
    """Draw ``n`` tasks from the mixture.

    Parameters
    ----------
    params : MLRParams
    n : int
        Number of tasks.
    t : int, array of shape (n,), or callable ``(rng, n) -> sizes``
        Task sizes; a callable gives a heterogeneous size distribution,
        e.g. ``lambda rng, n: rng.integers(2, 10, n)``.
    x_dist : str
        Law of the covariates: ``"gaussian"`` (N(0, I)) and ``"student"``
        (i.i.d. Student-t coordinates, unit variance) and ``"uniform"``
        (the cube [−√3, √3]^d) are isotropic;
        ``"correlated"`` (N(0, Σ) with Σ_ij = 0.8^|i−j|),
        ``"correlated_student"`` (multivariate t with that Σ),
        ``"polynomial"`` (Chebyshev features T_1(u), …, T_d(u) of
        u ~ U[−1, 1]) and ``"fourier"`` (√2 cos(mπu)/m, √2 sin(mπu)/m,
        m = 1, 2, …) are neither Gaussian nor isotropic; fit them with
        ``MetaLearner(..., covariates="estimate")`` (see docs/data.md).
    noise : {"gaussian", "student"}
        Law of the noise; ``"student"`` uses a Student t with ``df`` degrees
        of freedom, scaled to unit variance (heavy tails).
    df : float, optional
        Degrees of freedom of the Student laws (> 2; default 5); given with
        laws that have none (neither ``x_dist`` nor ``noise`` a Student law)
        it is a ValidationError, not silently ignored.
    rng : None, int or Generator

    Returns
    -------
    MetaDataset
        With ``components`` set to each task's true component.
    """
    rng = check_rng(rng)
    n = check_int(n, "n", min_val=1)
    if df is None:
        df = 5.0
    elif noise == "gaussian" and x_dist in LAWS and x_dist not in _STUDENT_LAWS:
        raise ValidationError(f"df={df!r} has no effect with x_dist={x_dist!r} and "
                              f"noise={noise!r} (no Student law); choose x_dist in "
                              f"{_STUDENT_LAWS} or noise='student', or leave df unset")
    df = check_float(df, "df", min_val=2.0, include_min=False)
    sizes = _draw_sizes(n, t, rng)
    z = rng.choice(params.k, size=n, p=params.p)
    N = int(sizes.sum())
    X = draw_covariates(rng, N, params.d, x_dist, df)
    zz = np.repeat(z, sizes)
    eps = _draw(rng, N, noise, df) * params.s[zz]
    # <w_{z}, x> for every example: one BLAS product then a gather
    y = np.take_along_axis(X @ params.W, zz[:, None], axis=1)[:, 0] + eps
    return MetaDataset(X, y, np.concatenate([[0], np.cumsum(sizes)]), components=z)


_TASK_OPTIONS = ("x_dist", "noise", "df")       # the keywords make_pools passes on


def make_pools(params, n_light1, t_light1, n_heavy, t_heavy, n_light2, t_light2, *,
               rng=None, **task_kw):
    """Draw the three pools (light L1, heavy H, light L2) from one problem.

    Parameters
    ----------
    params : MLRParams
        The mixture.
    n_light1, t_light1, n_heavy, t_heavy, n_light2, t_light2
        Each pool's number of tasks and task sizes, as ``n`` and ``t`` of
        :func:`make_tasks` (an integer, an array of sizes or a callable).
    rng : None, int or Generator
    **task_kw
        ``x_dist``, ``noise``, ``df`` of :func:`make_tasks`, for all pools
        (another keyword is a ValidationError naming it).

    Returns
    -------
    Pools
    """
    for name in task_kw:
        if name not in _TASK_OPTIONS:
            raise unknown_option("make_pools", name, ["rng", *_TASK_OPTIONS])
    rng = check_rng(rng)
    return Pools(make_tasks(params, n_light1, t_light1, rng=rng, **task_kw),
                 make_tasks(params, n_heavy, t_heavy, rng=rng, **task_kw),
                 make_tasks(params, n_light2, t_light2, rng=rng, **task_kw))


def covariate_moment(x_dist, d, df=5.0):
    """Exact second moment Σ_x = E[x xᵀ] of a covariate law of :func:`make_tasks`.

    Parameters
    ----------
    x_dist : str
        One of ``"gaussian"``, ``"student"``, ``"uniform"``, ``"correlated"``,
        ``"correlated_student"``, ``"polynomial"``, ``"fourier"``.
    d : int
        Dimension.
    df : float
        Degrees of freedom of the Student laws (> 2); Σ_x does not depend on it.

    Returns
    -------
    ndarray (d, d)

    Examples
    --------
    >>> covariate_moment("correlated", 3).round(2).tolist()
    [[1.0, 0.8, 0.64], [0.8, 1.0, 0.8], [0.64, 0.8, 1.0]]
    """
    d = check_int(d, "d", min_val=1)
    if x_dist not in LAWS:
        raise ValidationError(f"x_dist must be one of {LAWS}, got {x_dist!r}")
    return second_moment(x_dist, d, df)


def default_problem(rng=None, quick=False, problem=None):
    """The parameters and pools of :data:`DEFAULT_PROBLEM` (or
    :data:`QUICK_PROBLEM`), drawn from one generator in turn.

    Parameters
    ----------
    rng : None, int or Generator
        Seed of the parameters, then the pools.
    quick : bool
        The smaller problem.
    problem : dict, optional
        Sizes overriding those of the chosen problem (its keys only).

    Returns
    -------
    theta : MLRParams
    pools : Pools

    Raises
    ------
    ValidationError
        A key of ``problem`` that the problem does not have.

    Examples
    --------
    >>> theta, pools = default_problem(rng=0, quick=True)
    >>> theta.k, pools.heavy.n_tasks
    (3, 150)
    """
    rng = check_rng(rng)
    base = QUICK_PROBLEM if quick else DEFAULT_PROBLEM
    for key in problem or {}:
        if key not in base:
            raise unknown_option("default_problem's problem", key, list(base))
    p = dict(base, **(problem or {}))
    theta = make_params(p["d"], p["k"], rng=rng)
    pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                       p["n_light2"], p["t_light2"], rng=rng)
    return theta, pools
