# Natural API mistakes of a new user
import numpy as np, pandas as pd
from robust_mlr import MetaDataset, MetaLearner, Pools
df = pd.read_csv("b.csv")
feat = ["x1", "x2", "x3", "x4"]
ds = MetaDataset.from_arrays(df[feat].to_numpy(), df["y"].to_numpy(), df["task"].to_numpy())
def tryit(label, f):
    try:
        r = f(); print(f"{label}: OK -> {str(r)[:200]}")
    except Exception as e:
        print(f"{label}: {type(e).__name__}: {str(e)[:400]}")
tryit("fit(MetaDataset) instead of Pools", lambda: MetaLearner.robust(2, 0.05).fit(ds))
tryit("fit(DataFrame)", lambda: MetaLearner.robust(2, 0.05).fit(df))
tryit("MetaLearner.robust(2, 0.7).fit", lambda: MetaLearner.robust(2, 0.7).fit(Pools.from_dataset(ds, 20, rng=0)))
tryit("MetaLearner.robust(6, 0.05) k>d", lambda: MetaLearner.robust(6, 0.05).fit(Pools.from_dataset(ds, 20, rng=0)))
tryit("Pools.from_dataset(ds, 50) (no heavy task)", lambda: Pools.from_dataset(ds, 50, rng=0))
tryit("from_arrays with NaN in X", lambda: MetaDataset.from_arrays(np.where(np.arange(len(df))[:, None] == 5, np.nan, df[feat].to_numpy()), df["y"].to_numpy(), df["task"].to_numpy()))
tryit("from_arrays(df[feat], df.y, df.task) pandas objects", lambda: MetaDataset.from_arrays(df[feat], df["y"], df["task"]))
m = MetaLearner.robust(2, 0.05, rng=1).fit(Pools.from_dataset(ds, 20, rng=0))
tryit("predict(ds_with_query) wrong call (no X_query)", lambda: m.predict(ds))
tryit("predict(support, X_query with 3 features)", lambda: m.predict(ds, np.zeros((ds.n_tasks, 3))))
tryit("predict(support, X_query 1-D, one row per task)", lambda: m.predict(ds, np.zeros(ds.n_tasks*4)))
tryit("predict method='mAP'", lambda: m.predict(ds, np.zeros((ds.n_tasks, 4)), method="mAP"))
