"""The threat model (Kong et al., NeurIPS 2020): budget, context, registry, pool-level corruption."""

from __future__ import annotations

import abc
import difflib
import functools
import inspect
from dataclasses import dataclass, field

import numpy as np

from .._params import unknown_option
from .._validation import check_alpha, check_rng, lookup
from ..data import MetaDataset, Pools
from ..exceptions import ValidationError
from ..threat import ThreatModel
from ._thresholds import read_thresholds

__all__ = ["AttackContext", "Attack", "budget", "ATTACKS", "register", "corrupt_pools",
           "get_attack", "attack_settings", "default_settings"]

ATTACKS: dict = {}

#: The values of an attack's ``stage``: the pipeline stage it aims at
#: (``"generic"``: none in particular).
STAGES = ("subspace", "clustering", "regression", "preprocessing", "generic")


def register(cls):
    """Class decorator adding an attack to :data:`ATTACKS` under ``cls.name``.

    A built-in attack's name is refused (a ValidationError naming it): a
    replaced built-in would silently change every result that names it.
    A name of one's own may be registered again (re-running a notebook cell
    replaces the earlier class).
    """
    old = ATTACKS.get(cls.name)
    if old is not None and old is not cls and _builtin(old) and not _builtin(cls):
        raise ValidationError(f"attack name {cls.name!r} is a built-in attack "
                              f"({old.__name__}); give {cls.__name__} another name")
    ATTACKS[cls.name] = cls
    return cls


def budget(alpha, n):
    """Number of tasks the adversary may replace in a pool of ``n``: ⌊α n⌋."""
    return ThreatModel(alpha).budget(n)


def _builtin(cls):
    return cls.__module__.split(".")[0] == __name__.split(".")[0]


def attack_settings(model, alpha=None):
    """What the adversary reads off a learner: α, flagging level, clipping.

    Read from the learner's own stage objects, so an attack always faces the
    defender as configured (defaults included). The white-box families
    calibrate themselves from these (e.g. residuals just under the flagging
    limit); pass them as ``settings`` to
    :func:`~robust_mlr.adversary.corrupt_pools` to replay an attack the
    search found.

    Parameters
    ----------
    model : MetaLearner
        The learner attacked (fitted or not).
    alpha : float, optional
        The α the attack assumes (default: the learner's).

    Returns
    -------
    dict
        ``alpha``; ``flag_level`` when the classification flags tasks;
        ``clip`` of the subspace statistic (None when unclipped); for a
        fitted learner also ``thresholds``, every limit it applied
        (:func:`~robust_mlr.adversary.read_thresholds`), which the
        edge-placement families place their tasks just inside.

    Examples
    --------
    >>> from robust_mlr import MetaLearner
    >>> attack_settings(MetaLearner.robust(3, 0.05))
    {'alpha': 0.05, 'flag_level': 0.001, 'clip': 2.0}
    """
    stages = model.resolved_stages() if hasattr(model, "resolved_stages") else {}
    out = {"alpha": model.alpha if alpha is None else alpha}
    level = getattr(stages.get("classification"), "flag_level", None)
    if level is not None:
        out["flag_level"] = level
    sub = stages.get("subspace")
    out["clip"] = sub.clip if hasattr(sub, "clip") else default_settings()["clip"]
    if getattr(model, "diagnostics_", None) is not None:
        out["thresholds"] = read_thresholds(model)
    return out


@functools.lru_cache(maxsize=None)
def _robust_defaults():
    from ..estimator import MetaLearner          # the adversary reads the defender
    return tuple(attack_settings(MetaLearner.robust(1, 0.0)).items())


def default_settings():
    """The settings of the default robust learner, ``MetaLearner.robust``:
    what a white-box attack assumes when it is not told the defender's.

    Examples
    --------
    >>> default_settings()["flag_level"]
    0.001
    """
    return dict(_robust_defaults())


@dataclass
class AttackContext:
    """What the adversary may inspect: the true θ, the algorithm's settings,
    all pools, and the name of the pool being corrupted."""

    theta: object = None
    settings: dict = field(default_factory=dict)
    pools: Pools | None = None
    pool: str = ""

    def setting(self, name):
        """The defender's setting ``name``: as given in ``settings``, else the
        default robust learner's (:func:`default_settings`)."""
        value = self.settings.get(name)
        return default_settings().get(name) if value is None else value

    def need_theta(self, attack):
        if self.theta is None:
            raise ValidationError(f"attack {attack!r} inspects the true parameters: pass theta=")
        return self.theta


class Attack(abc.ABC):
    """Base class: choose ⌊α n⌋ tasks, replace all their examples.

    Subclasses set ``name``, ``stage`` (which pipeline stage they aim at) and
    ``targets`` (pools attacked by default), and implement :meth:`craft`,
    which returns new ``(X, y)`` rows for the chosen tasks, concatenated in
    task order with the same sizes. The base class enforces the budget, the
    shapes and finiteness, so no attack can exceed the threat model.
    """

    name = "base"
    stage = "generic"
    targets = ("light1", "heavy", "light2")

    def __init_subclass__(cls, **kwargs):
        # a misspelled stage is refused where it is written, not later by
        # Targeted(attack, "auto") looking up its pool
        super().__init_subclass__(**kwargs)
        if not isinstance(cls.stage, str) or cls.stage not in STAGES:
            close = difflib.get_close_matches(str(cls.stage), STAGES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValidationError(f"attack {cls.__name__}: stage {cls.stage!r} unknown{hint}; "
                                  f"stages are {', '.join(STAGES)}")

    def __new__(cls, *args, **kwargs):
        # a misspelled parameter is a ValidationError naming the attack and the
        # closest valid name (Python's TypeError names neither the attack nor
        # what was meant); checked here, once for every attack class
        if kwargs:
            _check_attack_keywords(cls, kwargs)
        return super().__new__(cls)

    def choose(self, data, n_bad, ctx, rng):
        """Which tasks to replace (default: uniformly at random)."""
        return np.sort(rng.choice(data.n_tasks, size=n_bad, replace=False))

    @abc.abstractmethod
    def craft(self, data, idx, ctx, rng):
        """New ``(X, y)`` rows for tasks ``idx`` (concatenated, same sizes)."""

    def __call__(self, data: MetaDataset, alpha, rng=None, ctx=None):
        """Corrupt one pool. Returns ``(corrupted MetaDataset, mask)``."""
        rng = check_rng(rng)
        ctx = ctx or AttackContext()
        n_bad = budget(alpha, data.n_tasks)
        mask = np.zeros(data.n_tasks, bool)
        if n_bad == 0:
            return data, mask
        idx = _check_chosen(self.name, self.choose(data, n_bad, ctx, rng), n_bad, data.n_tasks)
        X_new, y_new = self.craft(data, idx, ctx, rng)
        sizes = data.sizes[idx]
        want = (int(sizes.sum()), data.dim)
        if X_new.shape != want or y_new.shape != want[:1]:
            raise RuntimeError(f"attack {self.name} wrote X {X_new.shape}, y {y_new.shape}; "
                               f"expected {want} and ({want[0]},)")
        if not (np.all(np.isfinite(X_new)) and np.all(np.isfinite(y_new))):
            raise RuntimeError(f"attack {self.name} wrote non-finite values")
        from ..data import example_rows
        rows = example_rows(data.offsets, idx)
        X, y = data.X.copy(), data.y.copy()
        X[rows], y[rows] = X_new, y_new
        comps = None
        if data.components is not None:
            comps = data.components.copy()
            comps[idx] = -1
        mask[idx] = True
        return MetaDataset(X, y, data.offsets, comps), mask

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


def _check_chosen(name, idx, n_bad, n_tasks):
    """The task indices ``choose`` returned, or a one-line error saying what is wrong."""
    idx = np.asarray(idx)
    what = f"attack {name}: choose returned"
    if idx.ndim != 1:
        raise RuntimeError(f"{what} an array of shape {idx.shape}; expected task indices (1-d)")
    if idx.size and not (np.issubdtype(idx.dtype, np.integer) and idx.dtype != bool):
        raise RuntimeError(f"{what} indices of dtype {idx.dtype}; expected integers")
    if idx.size > n_bad:
        raise RuntimeError(f"{what} {idx.size} tasks; the budget is {n_bad}")
    bad = idx[(idx < 0) | (idx >= n_tasks)]
    if bad.size:
        raise RuntimeError(f"{what} task {int(bad[0])}; the pool's tasks are 0..{n_tasks - 1}")
    values, counts = np.unique(idx, return_counts=True)
    if np.any(counts > 1):
        raise RuntimeError(f"{what} task {int(values[counts > 1][0])} more than once")
    return idx.astype(np.intp)


def _check_attack_keywords(cls, kwargs):
    """Raise a ValidationError for a keyword ``cls(...)`` does not take."""
    init = cls.__init__
    params = {} if init is object.__init__ else inspect.signature(init).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    valid = [n for n, p in list(params.items())[1:]
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for key in kwargs:
        if key not in valid:
            raise unknown_option(f"attack {cls.name!r} ({cls.__name__})", key, valid)


def _replaced(pools, name):
    """The tasks of pool ``name`` an earlier attack replaced (its mask, and −1 components)."""
    data = pools[name]
    mask = np.zeros(data.n_tasks, bool)
    old = getattr(pools, "masks", {}).get(name)
    if old is not None and np.shape(old) == mask.shape:
        mask |= np.asarray(old, bool)
    if data.components is not None:
        mask |= np.asarray(data.components) == -1
    return mask


def get_attack(attack, **kwargs):
    """An attack instance from a name (with keyword parameters) or an instance."""
    if isinstance(attack, Attack):
        return attack
    if isinstance(attack, type) and issubclass(attack, Attack):
        raise ValidationError(f"attack {attack.__name__} is a class; pass an instance, "
                              f"{attack.__name__}(...)")
    if not isinstance(attack, str):
        # a plain function is the likely mistake: say how to bring one's own attack
        raise ValidationError(f"attack {attack!r} is neither a name nor an Attack: pass a name "
                              f"from robust_mlr.adversary.ATTACKS or an instance of a subclass "
                              f"of robust_mlr.adversary.Attack that implements "
                              f"craft(data, idx, ctx, rng)")
    return lookup(ATTACKS, attack, "attack")(**kwargs)


#: The algorithm settings an adversary may read (see ``corrupt_pools``): the
#: stated α, the flagging level of the χ² test, the subspace clipping scale
#: and the thresholds a fitted learner applied (``read_thresholds``).
SETTINGS = ("alpha", "flag_level", "clip", "thresholds")


def corrupt_pools(pools: Pools, attack, alpha, *, theta=None, settings=None, targets=None,
                  rng=None):
    """Corrupt an α fraction of the tasks of each targeted pool.

    Parameters
    ----------
    pools : Pools
    attack : str or Attack
    alpha : float
        Fraction per pool, ``0 <= alpha < 0.5``; at most ⌊α n⌋ tasks of each
        pool are replaced.
    theta : MLRParams, optional
        True parameters (most attacks inspect them).
    settings : dict, optional
        The algorithm's settings the adversary may read: ``alpha``,
        ``flag_level``, ``clip``, ``thresholds`` (another key is a
        ValidationError).
    targets : sequence of pool names, optional
        Pools to attack (default: the attack's own ``targets``).
    rng : None, int or Generator

    Returns
    -------
    Pools
        Corrupted pools with ``masks[pool]`` the boolean masks of replaced tasks.

    Pools corrupted once may be passed again to attack *other* pools (their
    masks are kept); attacking a pool that already has replaced tasks (a
    ``masks`` entry or a true component of −1) is a ValidationError, since a
    second ⌊α n⌋ would exceed the budget. Use :class:`Poolwise` for one
    attack per pool.
    """
    rng = check_rng(rng)
    check_alpha(alpha)
    if settings is not None and not isinstance(settings, dict):
        raise ValidationError(f"settings must be a dict, got {type(settings).__name__}")
    unknown = sorted(set(settings or {}) - set(SETTINGS))
    if unknown:
        raise ValidationError(f"settings has unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"the adversary reads only {', '.join(SETTINGS)}")
    att = get_attack(attack)
    targets = att.targets if targets is None else tuple(targets)
    for t in targets:
        if t not in Pools.names:
            raise ValidationError(f"target pool {t!r} unknown; pools are {Pools.names}")
    before = {name: _replaced(pools, name) for name in Pools.names}
    for name in targets:
        if before[name].any():
            # a second attack would re-spend the budget: ⌊α n⌋ bounds all replaced tasks
            raise ValidationError(f"pool {name!r} is already corrupted "
                                  f"({int(before[name].sum())} tasks replaced); corrupt the "
                                  f"clean pools once, with one attack per pool (Poolwise)")
    new, masks = {}, {}
    for name in Pools.names:
        data = pools[name]
        if name in targets:
            ctx = AttackContext(theta, dict(settings or {}), pools, name)
            new[name], masks[name] = att(data, alpha, rng, ctx)
        else:
            new[name], masks[name] = data, before[name]
    out = Pools(**new)
    out.masks = masks
    return out
