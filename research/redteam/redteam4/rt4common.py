"""Shared helpers of the fourth red team's hand-built attacks: build corrupted
pools by replacing exactly floor(alpha n) tasks of a pool, fit, and score."""
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.data import MetaDataset, Pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors


def problem(seed, point=None):
    return make_problem(dict(point or PROBLEM, sizes="fixed"), np.random.default_rng([seed, 11]))


def cube(ds):
    """(n, t, d) and (n, t) views of a fixed-size pool."""
    t = int(ds.sizes[0])
    assert np.all(ds.sizes == t)
    return ds.X.reshape(ds.n_tasks, t, ds.dim).copy(), ds.y.reshape(ds.n_tasks, t).copy()


def rebuild(X3, Y2):
    n, t, d = X3.shape
    return MetaDataset.from_arrays(X3.reshape(n * t, d), Y2.reshape(n * t),
                                   np.repeat(np.arange(n), t))


def replace(pools, name, idx, Xc, yc):
    """Pools with tasks ``idx`` of pool ``name`` replaced by (Xc, yc) cubes."""
    X3, Y2 = cube(pools[name])
    X3[idx], Y2[idx] = Xc, yc
    new = {n: pools[n] for n in Pools.names}
    new[name] = rebuild(X3, Y2)
    return Pools(**new)


def fit(pools, theta, alpha, seed=0, k=None, clean_time=None, **kw):
    """Fit the robust learner; return a dict of errors, warning, exception, time."""
    k = theta.k if k is None else k
    t0 = time.perf_counter()
    out = {"warned": False, "raised": ""}
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(k, alpha, rng=seed, **kw).fit(pools)
        except Exception as e:  # noqa: BLE001 - the red team records every failure
            m = None
            out["raised"] = f"{type(e).__name__}: {str(e)[:100]}"
    out["time"] = time.perf_counter() - t0
    out["warned"] = any(issubclass(w.category, CorruptionWarning) for w in ws)
    out["warnings"] = sorted({w.category.__name__ for w in ws})
    if m is not None:
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        out.update(w_err=e["w_err"], s2_err=e["s2_err"], p_err=e["p_err"])
    else:
        out.update(w_err=np.nan, s2_err=np.nan, p_err=np.nan)
    if clean_time:
        out["ratio"] = out["time"] / clean_time
    return out, m


def line(tag, r):
    return (f"{tag:60s} w {r['w_err']:.4f} s2 {r['s2_err']:.4f} p {r['p_err']:.4f} "
            f"warned {int(r['warned'])} t {r['time']:.2f}s x{r.get('ratio', float('nan')):.1f} "
            f"{r['raised']} {','.join(r['warnings'])}")
