# New-user Python API probe: DataFrame -> MetaDataset -> Pools -> MetaLearner.robust(2, 0.05)
# ~2000 light tasks (3-5 rows), 60 heavy tasks (40 rows), 2 regressions; seed 0.
import sys, time, warnings, itertools
import numpy as np, pandas as pd
from robust_mlr import MetaDataset, MetaLearner, Pools
warnings.simplefilter("always")

def make(law, intercept, seed=0, d=4, n_light=2000, n_heavy=60):
    rng = np.random.default_rng(seed)
    W = np.array([[1.0, -0.5, 0.3, 0.0], [-0.7, 0.2, 0.0, 1.0]])[:, :d]
    b = np.array([2.0, -1.0]) if intercept else np.zeros(2)
    sizes = np.r_[rng.integers(3, 6, n_light), np.full(n_heavy, 40)]
    comp = rng.integers(0, 2, sizes.size)
    rows = []
    for t, (n, c) in enumerate(zip(sizes, comp)):
        X = rng.uniform(0, 1, (n, d)) if law == "uniform01" else rng.standard_normal((n, d))
        y = X @ W[c] + b[c] + 0.3 * rng.standard_normal(n)
        f = pd.DataFrame(X, columns=[f"x{j+1}" for j in range(d)]); f["y"] = y; f.insert(0, "task", f"t{t}")
        rows.append(f)
    df = pd.concat(rows, ignore_index=True)
    if intercept:
        df["one"] = 1.0
    Wt = np.c_[W, b] if intercept else W            # (k, d')
    return df, Wt.T, comp

def w_err(W_hat, W_true):
    return min(np.linalg.norm(W_hat[:, list(p)] - W_true, 2) for p in itertools.permutations(range(W_true.shape[1])))

case = sys.argv[1]
law, icpt = {"gauss": ("gauss", False), "unif": ("uniform01", False),
             "unif_icpt": ("uniform01", True), "gauss_icpt": ("gauss", True),
             "gauss_b_noone": ("gauss", True), "unif_b_noone": ("uniform01", True)}[case]
df, W_true, comp = make(law, icpt)
if case.endswith("noone"):   # intercept in the truth, but the user forgot the ones column
    df = df.drop(columns="one"); W_true = W_true[:-1]
feat = [c for c in df.columns if c not in ("task", "y")]
ds = MetaDataset.from_arrays(df[feat].to_numpy(), df["y"].to_numpy(), df["task"].to_numpy())
pools = Pools.from_dataset(ds, 20, rng=0)
print(case, "features", feat, "pools", pools)
t0 = time.time()
with warnings.catch_warnings(record=True) as ws:
    warnings.simplefilter("always")
    model = MetaLearner.robust(2, 0.05, rng=1).fit(pools)
print(f"fit {time.time()-t0:.2f} s; warnings: {len(ws)}")
for w in ws:
    print("  WARNING", w.category.__name__, ":", str(w.message)[:400])
print("W_ (cols) =\n", np.round(model.W_, 3), "\ntrue =\n", np.round(W_true, 3))
print("w_err", round(w_err(model.W_, W_true), 4), "s2_", np.round(model.s2_, 4), "(true 0.09)", "p_", np.round(model.p_, 3))
print("covariance_ (whitening applied):", model.covariance_ is not None)
print("diagnostics_ keys:", list(model.diagnostics_))
print("evidence:", model.diagnostics_.get("evidence"))
print("flagged_ counts:", {k: int(np.sum(v)) for k, v in model.flagged_.items()})
# predict on fresh tasks: 4 support + 1 query
new, W2, comp2 = make(law, icpt, seed=99, n_light=300, n_heavy=0)
if case.endswith("noone"):
    new = new.drop(columns="one")
newds = MetaDataset.from_arrays(new[feat].to_numpy(), new["y"].to_numpy(), new["task"].to_numpy())
try:
    support, Xq, yq = newds.split_query()
    for m in ("map", "bayes"):
        yh = model.predict(support, Xq, method=m)
        print(f"predict {m}: MSE {np.mean((yh - yq)**2):.4f} (noise floor 0.09)")
    # oracle
    yo = np.array([Xq[i] @ W2[:Xq.shape[1], c] + (W2[-1, c] if case.endswith("noone") else 0) for i, c in enumerate(comp2)])
    print(f"oracle (true component) MSE {np.mean((yo - yq)**2):.4f}")
except Exception as e:
    print("predict error:", type(e).__name__, e)
