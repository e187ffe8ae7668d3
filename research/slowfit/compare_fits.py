"""Compare the estimates saved by two ``replay_rows.py --save`` runs: exact
equality per fit, else the largest difference, and each fit's errors against
the true parameters (the red team's ``w_err``, ``s2_err``, ``p_err``).

    PYTHONPATH=$PWD:research/redteam/redteam6 python3 research/slowfit/compare_fits.py before.npz after.npz
"""
import sys

import numpy as np

from robust_mlr.metrics import parameter_errors

from run import build_problem


def main():
    a, b = (np.load(p) for p in sys.argv[1:3])
    theta, _ = build_problem("default", "fixed", 0)
    keys = sorted({k.rsplit("/", 1)[0] for k in a.files} & {k.rsplit("/", 1)[0] for k in b.files})
    for key in keys:
        diffs = {}
        for name in ("W_", "s2_", "p_", "light_labels_", "heavy_labels_"):
            x, y = a[f"{key}/{name}"], b[f"{key}/{name}"]
            diffs[name] = 0.0 if np.array_equal(x, y) else float(np.max(np.abs(x - y)))
        ea, eb = (parameter_errors(f[f"{key}/W_"], f[f"{key}/s2_"], f[f"{key}/p_"], theta)
                  for f in (a, b))
        same = all(v == 0.0 for v in diffs.values())
        steps = ""
        if f"{key}/steps" in a.files and f"{key}/steps" in b.files:
            steps = f"BM steps {int(a[f'{key}/steps'])} -> {int(b[f'{key}/steps'])} "
        path, _, row = key.rpartition(".csv:")
        name = f"{path.split('/')[-2]}:{row}" if path else key
        print(f"{name:<36} {'identical' if same else 'differs'} "
              f"{'' if same else {k: f'{v:.2g}' for k, v in diffs.items() if v}} {steps}"
              f"w_err {ea['w_err']:.4f} -> {eb['w_err']:.4f} s2_err {ea['s2_err']:.4f} -> "
              f"{eb['s2_err']:.4f} p_err {ea['p_err']:.4f} -> {eb['p_err']:.4f}")


if __name__ == "__main__":
    main()
