"""Re-run rows of the adaptive study (docs/results/adaptive.csv) on the
current code with their own trial seeds, printing each as a CSV row of the
same columns (to replace the old row; the `version` column says which code).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/law_reference/rerun_adaptive_rows.py \
        robust s2 fixed 0.05 [robust s2 hetero 0.05 ...] > OUT.csv
"""
import csv, sys, time, warnings
import numpy as np
import robust_mlr
from experiments.adaptive import trial
rows = list(csv.DictReader(open("docs/results/adaptive.csv")))
args = sys.argv[1:]
out = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
out.writeheader()
for i in range(0, len(args), 4):
    learner, target, sizes, alpha = args[i:i + 4]
    row = [r for r in rows if r["param.learner"] == learner and r["param.target"] == target
           and r["param.sizes"] == sizes and float(r["param.alpha"]) == float(alpha)][0]
    point = {k[len("param."):]: v for k, v in row.items() if k.startswith("param.")}
    for k in ("d", "k", "n_light1", "t_light1", "n_heavy", "t_heavy", "n_light2", "t_light2", "budget"):
        point[k] = int(point[k])
    point["alpha"] = float(point["alpha"])
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metrics = trial(point, np.random.default_rng(int(row["seed"])))
    new = dict(row, **{k: metrics[k] for k in metrics}, wall_time=round(time.perf_counter() - t0, 4),
               version=robust_mlr.__version__)
    out.writerow(new)
    sys.stdout.flush()
