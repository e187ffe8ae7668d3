"""Fit a set of cases and save (or compare with) every output, bit for bit.

Run from a worktree: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed20/compare_fits.py save|check FILE``
Cases: the default problem (pools seed 1, as the golden test and the
benchmark) robust at alpha 0.05 with fit seeds 0 and 2, at alpha 0.1;
under the fake-cluster attack (the golden case); pools seeds 3 and 7;
under two more built-in attacks; and the ICML fit; and ``robust-mlr demo``'s
fits for seeds 0, 1, 2 (``demo.run``'s draws: one generator gives the
problem, the pools, the test tasks, the clean ICML fit, then the
fake-cluster attack at alpha 0.05, the ICML fit and the robust fit; clean: the robust fit
after the ICML fit). Every numeric output:
W_, s2_, p_, U_, labels and every numeric ``diagnostics_`` value but the
clocks.
"""
import pickle
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import DEFAULT_PROBLEM, default_problem, make_tasks


def flatten(prefix, obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("time", "cpu_seconds", "build_time") or str(k).endswith("_time"):
                continue
            flatten(f"{prefix}/{k}", v, out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(f"{prefix}/{i}", v, out)
    elif isinstance(obj, (int, float, np.integer, np.floating, np.ndarray, bool, np.bool_, str)):
        a = np.asarray(obj)
        if a.dtype != object:
            out[prefix] = a


def pools_of(seed):
    p = DEFAULT_PROBLEM
    theta = make_params(p["d"], p["k"], rng=0)
    return theta, make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                             p["n_light2"], p["t_light2"], rng=seed)


def cases():
    theta, pools = pools_of(1)
    yield "robust_a05_rng0", lambda: MetaLearner.robust(4, 0.05, rng=0), pools
    yield "robust_a05_rng2", lambda: MetaLearner.robust(4, 0.05, rng=2), pools
    yield "robust_a10_rng0", lambda: MetaLearner.robust(4, 0.1, rng=0), pools
    yield "icml_rng2", lambda: MetaLearner(4, rng=2), pools
    for attack in ("fake_cluster", "component_shift", "cluster_bridging", "leverage"):
        try:
            bad = corrupt_pools(pools, attack, 0.05, theta=theta, rng=4)
        except Exception as exc:                  # an attack name this build lacks
            print("skip", attack, exc)
            continue
        yield f"robust_{attack}", lambda: MetaLearner.robust(4, 0.05, rng=2), bad
    for seed in (3, 7):
        yield f"robust_pools{seed}", lambda: MetaLearner.robust(4, 0.05, rng=0), pools_of(seed)[1]
    for seed in (0, 1, 2):
        for attacked in (False, True):
            # demo.run's sequence of draws from one generator
            rng = np.random.default_rng(seed)
            params, pools = default_problem(rng, False)
            make_tasks(params, 2000, 5, rng=rng)
            MetaLearner.icml(params.k, rng=rng).fit(pools)
            if attacked:
                pools = corrupt_pools(pools, "fake_cluster", 0.05, theta=params,
                                      settings={"alpha": 0.05}, rng=rng)
                MetaLearner.icml(params.k, rng=rng).fit(pools)     # the demo's attacked ICML fit
            tag = "fake_cluster" if attacked else "clean"
            yield (f"demo_seed{seed}_{tag}",
                   lambda rng=rng, k=params.k: MetaLearner.robust(k, 0.05, rng=rng), pools)


def outputs():
    out = {}
    warnings.simplefilter("ignore")
    with threadpool_limits(limits=1, user_api="blas"):
        for name, make, pools in cases():
            m = make().fit(pools)
            for attr in dir(m):
                if attr.endswith("_") and not attr.startswith("_"):
                    v = getattr(m, attr, None)
                    if isinstance(v, np.ndarray) and v.dtype != object:
                        out[f"{name}/{attr}"] = v
            flatten(f"{name}/diag", m.diagnostics_, out)
            print(name, "done", flush=True)
    return out


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    out = outputs()
    if mode == "save":
        with open(path, "wb") as fh:
            pickle.dump(out, fh)
        print(f"saved {len(out)} arrays to {path}")
    else:
        with open(path, "rb") as fh:
            ref = pickle.load(fh)
        bad = 0
        for k in sorted(set(ref) | set(out)):
            if k not in ref or k not in out:
                print("missing", k)
                bad += 1
                continue
            a, b = ref[k], out[k]
            same = a.shape == b.shape and a.dtype == b.dtype and (
                np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
            if not same:
                bad += 1
                rel = (np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300))
                       if a.shape == b.shape and a.dtype.kind in "fc" else np.nan)
                print(f"DIFF {k}: shape {a.shape}/{b.shape}, max rel {rel:.3g}")
        print(f"{len(out)} values compared, {bad} differ")
