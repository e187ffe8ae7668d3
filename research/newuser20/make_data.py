# New-user data: ~2000 light tasks (3-5 rows) + 60 heavy tasks (40 rows), 2 regressions, d=4, seed 0
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
d = 4
W = np.array([[1.0, -0.5, 0.3, 0.0], [-0.7, 0.2, 0.0, 1.0]])
rows = []
sizes = list(rng.integers(3, 6, 2000)) + [40] * 60
for t, n in enumerate(sizes):
    c = rng.integers(0, 2)
    X = rng.standard_normal((n, d))
    y = X @ W[c] + 0.3 * rng.standard_normal(n)
    for i in range(n):
        rows.append({"task": f"t{t}", "x1": X[i,0], "x2": X[i,1], "x3": X[i,2], "x4": X[i,3], "y": y[i]})
df = pd.DataFrame(rows)
df.to_csv("a.csv")                  # with index
df.to_csv("b.csv", index=False)
pd.read_csv("a.csv").to_csv("c.csv")   # read back (Unnamed: 0) and write again with index
pd.read_csv("a.csv").to_csv("c2.csv", index=False)  # Unnamed: 0 kept as a column
df.to_parquet("a.parquet")
df.set_index("task").to_parquet("d.parquet")  # task as index
print(df.shape, df.task.nunique())
