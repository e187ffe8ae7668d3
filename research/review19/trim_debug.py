"""Round 1 of the calibrated trim on one pool (d = 16, n = 6000, t = 2,
α = 0.05, 300 tasks with rows ×1000 along e_0): the scores, the fit's
quantiles and the excess edge."""
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.covariates import _moment, _task_norms
from robust_mlr._covariance_trim import excess_counts, trim_mask
from robust_mlr.stages.screening import _calibration_level
from robust_mlr.data import MetaDataset

d, n, t, alpha = 16, 6000, 2, 0.05
data = make_tasks(make_params(d, 2, rng=0), n, t, rng=1)
X = data.X.copy()
nb = int(alpha * n)
X[:data.offsets[nb], 0] *= 1e3
ds = MetaDataset(X, data.y, data.offsets)
S = _moment([ds], None) / ds.n_examples
q = _task_norms(ds, np.linalg.inv(S)) / ds.sizes
print("Sigma00", S[0, 0])
print("clean q quantiles 50/90/99/max", np.quantile(q[nb:], [0.5, 0.9, 0.99, 1]).round(2))
print("bad q quantiles 0/50/max", np.quantile(q[:nb], [0, 0.5, 1]).round(2))
a = _calibration_level(alpha, n)
print("level", a, "Q1,Q2", np.quantile(q, [1 - a, 1 - 2 * a]).round(2))
print("edge", excess_counts(np.column_stack([q, -np.log(q)]), a, int(np.ceil(2 * alpha * n))))
kept = trim_mask(q, [n], np.zeros(n, bool), alpha)
print("kept bad", kept[:nb].sum(), "trimmed clean", (~kept[nb:]).sum())
