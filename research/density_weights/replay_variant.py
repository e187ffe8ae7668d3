"""replay.py with the light-median step replaced (VARIANT env: 'none' = off)."""
import os, sys
import numpy as np
sys.argv[0] = "replay.py"
import robust_mlr.stages.regression._pooled as _pl
V = os.environ.get("VARIANT", "default")
if V == "none":
    _pl.light_median_step = lambda light, labels, W: (np.array(W, float), {"shift": np.zeros(W.shape[1]), "moved": []})
sys.path.insert(0, "research/moments_robust")
import replay
replay.main()
