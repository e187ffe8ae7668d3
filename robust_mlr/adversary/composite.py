"""One attack per pool: the adversary's full strategy.

The budget is per pool (⌊α n⌋ tasks of each), so the strongest adversary
spends each pool's budget on the stage that pool feeds.
"""

from __future__ import annotations

from ..data import Pools
from ..exceptions import ValidationError
from ._base import Attack, get_attack, register

__all__ = ["Poolwise"]


def _resolve(spec):
    if spec is None or isinstance(spec, Attack):
        return spec
    if isinstance(spec, str):
        return get_attack(spec)
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        return get_attack(spec[0], **dict(spec[1]))
    raise ValidationError(f"a pool's attack must be a name, (name, params) or an Attack, "
                          f"got {spec!r}")


@register
class Poolwise(Attack):
    """A different attack on each pool.

    Parameters
    ----------
    light1, heavy, light2 : str, (str, dict), Attack or None
        The attack for that pool (a registry name, a name with keyword
        parameters, or an instance); None leaves the pool clean. With all
        three None the default strategy is used: ``covariate_spike`` on
        light1, ``component_shift`` on heavy, ``variance_inflation`` on light2.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools
    >>> from robust_mlr.adversary import Poolwise, corrupt_pools
    >>> theta = make_params(8, 2, rng=0)
    >>> pools = make_pools(theta, 200, 2, 40, 32, 100, 4, rng=1)
    >>> att = Poolwise(light1=("covariate_spike", {"level": 0.8}), light2="component_mimic")
    >>> att.targets
    ('light1', 'light2')
    >>> bad = corrupt_pools(pools, att, 0.05, theta=theta, rng=2)
    >>> [int(bad.masks[p].sum()) for p in ("light1", "heavy", "light2")]
    [10, 0, 5]
    """

    name, stage = "poolwise", "generic"

    def __init__(self, light1=None, heavy=None, light2=None):
        if light1 is None and heavy is None and light2 is None:
            light1, heavy, light2 = "covariate_spike", "component_shift", "variance_inflation"
        self.attacks = {"light1": _resolve(light1), "heavy": _resolve(heavy),
                        "light2": _resolve(light2)}
        self.targets = tuple(p for p in Pools.names if self.attacks[p] is not None)

    def _for(self, ctx):
        att = self.attacks.get(ctx.pool)
        if att is None:                      # forced onto a pool without an attack
            return get_attack("component_mimic")
        return att

    def choose(self, data, n_bad, ctx, rng):
        return self._for(ctx).choose(data, n_bad, ctx, rng)

    def craft(self, data, idx, ctx, rng):
        return self._for(ctx).craft(data, idx, ctx, rng)
