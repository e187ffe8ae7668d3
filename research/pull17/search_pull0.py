"""The adaptive study's built-in search, light sizes 2-64, W at alpha 0.05,
re-run with the light pull off (FilterRegression(pull=0), the heavy
estimate alone) on its own trial seed, to set against the study's row with
the default pull (docs/results/adaptive.csv; docs/adversary.md, "What the
pull buys"). Not a library change: the default is patched in this process.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/pull17/search_pull0.py
"""
import csv
import sys
import time
import warnings

import numpy as np

from robust_mlr.stages.regression import FilterRegression
from experiments.adaptive import trial

_init = FilterRegression.__init__.__wrapped__          # under the parameter-checking wrapper
_defaults = list(_init.__defaults__)
_defaults[4] = 0.0                                      # pull, in signature order
_init.__defaults__ = tuple(_defaults)
assert FilterRegression().pull == 0.0

rows = list(csv.DictReader(open("docs/results/adaptive.csv")))
for target, sizes in (("W", "hetero"), ("W", "fixed")):
    row = [r for r in rows if r["param.learner"] == "robust" and r["param.target"] == target
           and r["param.sizes"] == sizes and float(r["param.alpha"]) == 0.05][0]
    point = {k[len("param."):]: v for k, v in row.items() if k.startswith("param.")}
    for k in ("d", "k", "n_light1", "t_light1", "n_heavy", "t_heavy", "n_light2", "t_light2",
              "budget"):
        point[k] = int(point[k])
    point["alpha"] = float(point["alpha"])
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metrics = trial(point, np.random.default_rng(int(row["seed"])))
    print(target, sizes, "pull 0:", {k: (round(v, 4) if isinstance(v, float) else v)
                                     for k, v in metrics.items()},
          "| default pull (adaptive.csv):", {k: row[k][:6] for k in metrics if k in row},
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    sys.stdout.flush()
