"""The adaptive study's built-in search (robust learner, target W, alpha 0.05,
150 attacked fits, the rows' own trial seeds; docs/results/adaptive.csv) on
this code (the pull taken only where the model-predicted gain is at least a
half of the heavy estimate's mean squared error), light sizes 2-64 and 8.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/pull18/search.py [hetero] [fixed]

(the main branch's code for comparison: ``git archive main robust_mlr | tar -x -C DIR``,
then PYTHONPATH=DIR:$PWD.)
"""
import csv
import sys
import time
import warnings

import numpy as np

from experiments.adaptive import trial

rows = list(csv.DictReader(open("docs/results/adaptive.csv")))
for target, sizes in [("W", s) for s in (sys.argv[1:] or ("hetero", "fixed"))]:
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
    import robust_mlr
    print(target, sizes, robust_mlr.__file__, "this code:", {k: (round(v, 4) if isinstance(v, float) else v)
                                        for k, v in metrics.items()},
          "| default pull (adaptive.csv):", {k: row[k][:6] for k in metrics if k in row},
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
