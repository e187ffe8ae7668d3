"""Capped weight traces tr(Ã_i) over the pool's median: clean vs corrupted tasks."""
import numpy as np
from robust_mlr.data import MetaDataset
from robust_mlr.stages.regression import _heavy_anchor as H

D = np.load("research/heavy19/logs/anchor_inputs_s2.npz")
heavy = MetaDataset(D["X"], D["y"], D["offsets"])
A = H._task_grams(heavy)
At, _ = H._capped_weights(A, np.ones(len(A), bool))
tr = np.trace(At, axis1=1, axis2=2)
r = tr / np.median(tr)
mask = D["mask"]
print(f"clean: min {r[~mask].min():.3f} q.99 {np.quantile(r[~mask], .99):.3f} max {r[~mask].max():.3f}; "
      f"corrupted: {r[mask].min():.3f}-{r[mask].max():.3f}")
