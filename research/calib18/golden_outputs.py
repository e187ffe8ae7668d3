"""Save the golden cases' outputs of the code on PYTHONPATH to an npz (to
compare two versions bit for bit)."""
import sys, warnings
from pathlib import Path
import numpy as np
sys.path.insert(0, "tests/data")
import make_golden
theta, pools = make_golden.problem()
out = {}
for case in make_golden.CASES:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_golden.fit_case(case, theta, pools)
    for key, value in make_golden.outputs(model).items():
        out[f"{case}/{key}"] = value
np.savez(sys.argv[1], **out)
