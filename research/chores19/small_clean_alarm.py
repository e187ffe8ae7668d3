"""Clean data, small light-1 pool: how often the robust fit's subspace
filter removes more than alpha n + 3 sqrt(alpha n) + 1 tasks (the
CorruptionWarning of a clean fit). Sizes of the pools directory the CLI
check used: d=4, k=2, light1 300 tasks of t=2, heavy 20 of t=32, light2 300
of t=4; robust learner at alpha 0.05; seeds 0-9 (make_params seed s,
make_pools seed 100+s, fit rng s)."""
import warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools

for n1 in (300, 3000):
    rows = []
    for s in range(10):
        theta = make_params(4, 2, rng=s)
        pools = make_pools(theta, n1, 2, 20, 32, 300, 4, rng=100 + s)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = MetaLearner.robust(2, 0.05, rng=s).fit(pools)
        sub = m.diagnostics_["subspace"]
        warned = any(w.category.__name__ == "CorruptionWarning" for w in caught)
        rows.append((sub["removed"], sub["limit"], warned))
    print(f"light1 n={n1}: removed/limit per seed "
          f"{[f'{r}/{l}' for r, l, _ in rows]}; CorruptionWarning in "
          f"{sum(w for *_, w in rows)}/10; subspace over the limit in "
          f"{sum(r > l for r, l, _ in rows)}/10")
