"""Which golden outputs move, and by how much (max |Δ| per key, and the
parameter errors before/after).

    PYTHONPATH=$PWD python3 research/anchor4/golden_diff.py
"""
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path("tests/data").resolve()))
import make_golden  # noqa: E402

from robust_mlr.metrics import parameter_errors  # noqa: E402

golden = np.load("tests/data/golden_default.npz")
theta, pools = make_golden.problem()
for case in make_golden.CASES:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_golden.fit_case(case, theta, pools)
    out = make_golden.outputs(model)
    moved = {k: float(np.max(np.abs(np.asarray(v, float) - golden[f"{case}/{k}"])))
             for k, v in out.items()}
    moved = {k: v for k, v in moved.items() if v > 1e-10}
    line = f"{case}: moved {moved or 'nothing'}"
    if "W" in out and "s2" in out and moved:
        before = parameter_errors(golden[f"{case}/W"], golden[f"{case}/s2"],
                                  golden[f"{case}/p"], theta)
        after = parameter_errors(out["W"], out["s2"], out["p"], theta)
        line += (f"; w_err {before['w_err']:.4f} -> {after['w_err']:.4f}, "
                 f"s2_err {before['s2_err']:.4f} -> {after['s2_err']:.4f}")
    print(line)
