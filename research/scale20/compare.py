"""Compare two outputs.py files bit for bit: python3 compare.py A.npz B.npz"""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
ok = True
for key in a.files:
    same = np.array_equal(a[key], b[key], equal_nan=True) if a[key].dtype.kind == "f" \
        else np.array_equal(a[key], b[key])
    ok &= same
    print(f"{key:8s} {'identical' if same else 'DIFFERENT'}")
print("ALL IDENTICAL" if ok else "DIFFERENCES")
