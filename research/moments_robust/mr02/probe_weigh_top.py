"""mr02 probe (not adopted): weigh only C's top direction within the
inflated span when more than one direction is inflated (the rest are read,
not weighed).  Wraps rt21's driver like diag.py.

    python3 research/moments_robust/mr02/probe_weigh_top.py --seed 1 --row '{...}'
"""
import numpy as np

from robust_mlr.stages.regression import robust as _robust

_cd = _robust.candidate_directions


def cand(*a, **kw):
    out, lever = _cd(*a, **kw)
    k = len(lever)
    ok, moments = a[4], a[0]
    # the library prepends C's top direction when more than one is inflated
    lever = [L[:, :1] if L.shape[1] > 2 else L for L in lever]
    return out, lever


_robust.candidate_directions = cand

if __name__ == "__main__":
    import rt21
    rt21.main()
