# Does the DataWarning for a missing intercept fire? Gaussian features, no ones column, intercepts b per component.
import warnings, numpy as np
from robust_mlr import MetaDataset, MetaLearner, Pools
for b in ([2.0, 2.0], [2.0, -1.0], [1.0, -1.0]):
    rng = np.random.default_rng(0)
    W = np.array([[1.0, -0.5, 0.3, 0.0], [-0.7, 0.2, 0.0, 1.0]])
    sizes = np.r_[rng.integers(3, 6, 2000), np.full(60, 40)]
    comp = np.repeat(rng.integers(0, 2, sizes.size), sizes)
    X = rng.standard_normal((sizes.sum(), 4))
    y = np.einsum("ij,ij->i", X, W[comp]) + np.array(b)[comp] + 0.3 * rng.standard_normal(sizes.sum())
    pools = Pools.from_dataset(MetaDataset.from_arrays(X, y, np.repeat(np.arange(sizes.size), sizes)), 20, rng=0)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(2, 0.05, rng=1).fit(pools)
    print(f"b={b}: s2_={np.round(m.s2_,3)} (true 0.09); warnings: {[w.category.__name__ + ': ' + str(w.message)[:160] for w in ws]}")
