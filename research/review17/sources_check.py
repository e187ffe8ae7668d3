"""Spot-checks of docs/claims.md numbers against their cited committed sources
(review17). Reads only committed CSVs; prints what each source holds."""
import csv
import glob

import numpy as np


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


ad = rows("docs/results/adaptive.csv")
print("adaptive.csv (one search of 150 attacked fits a row, one problem draw a row):")
for r in ad:
    print(f"  {r['param.learner']:6} {r['param.sizes']:6} α {r['param.alpha']:4} {r['param.target']:2}"
          f" worst {float(r['worst']):.4g} clean {float(r['clean']):.4g} crashes {r['n_crashes']}")
robust = [r for r in ad if r["param.learner"] == "robust"]
print(f"  robust rows {len(robust)} × 150 attacked fits = {150 * len(robust)};"
      f" crashes {sum(int(r['n_crashes']) for r in robust)}; no warned column in the CSV")

rb = [r for r in rows("docs/results/robustness.csv") if float(r["param.alpha"]) == 0]
for k in ("robust_w_err", "icml_w_err"):
    v = np.array([float(r[k]) for r in rb])
    print(f"robustness.csv α = 0 ({len(v)} seeds) {k}: mean {v.mean():.4f} range {v.min():.4f}–{v.max():.4f}")

for f in ["research/phat/search_a05/default_default_fixed_a0.05_s0_n150.csv"] + \
        sorted(glob.glob("research/redteam/redteam8/final_main/*/*.csv")):
    r = rows(f)
    att = [x for x in r if x["phase"] != "clean"]
    silent = [x for x in att if x["warned"] in ("0", "False", "0.0")]
    exc = [x for x in r if x["exception"] not in ("", "nan", "None")]
    print(f"{f}: attacked {len(att)}, exceptions {len(exc)}, max silent W "
          f"{max(float(x['w_err']) for x in silent):.4f}, ŝ² {max(float(x['s2_err']) for x in silent):.4f},"
          f" p̂ {max(float(x['p_err']) for x in silent):.4f}")

cl = rows("docs/results/covariate_laws.csv")
print("covariate_laws.csv: warned", {r["robust_warned"] for r in cl} | {r["icml_warned"] for r in cl},
      "accuracy ≥", min(min(float(r["robust_accuracy"]), float(r["icml_accuracy"])) for r in cl),
      "MSE ratio ≤", max(max(float(r["robust_mse_ratio"]), float(r["icml_mse_ratio"])) for r in cl))
sw = [r for r in rows("docs/results/sine_wave.csv") if r["param.attack"] == "none"]
print("sine_wave.csv clean:", len(sw), "fits; robust MSE ratio",
      f"{min(float(r['robust_mse_ratio']) for r in sw):.3f}–{max(float(r['robust_mse_ratio']) for r in sw):.3f};",
      f"ICML {min(float(r['icml_mse_ratio']) for r in sw):.3f}–{max(float(r['icml_mse_ratio']) for r in sw):.3f}")
