# Variants of the new-user data (run after make_data.py; these were run inline during the session).
import sys, numpy as np, pandas as pd
df = pd.read_csv("b.csv")
df[df.x1 > -3].to_parquet("e.parquet")                       # non-default index -> __index_level_0__
d2 = df.copy(); d2.loc[5, "x2"] = np.nan; d2.to_csv("nan.csv", index=False)
d3 = df.copy(); keep = ~((d3.task == "t1") & (d3.index != d3[d3.task == "t1"].index[0])); d3[keep].to_csv("one.csv", index=False)
df.rename(columns={"task": "user", "y": "target"}).to_csv("renamed.csv", index=False)
d4 = df.copy(); d4.loc[5, "y"] = np.nan; d4.to_parquet("nan.parquet")
d5 = df.copy(); d5.loc[5, "task"] = np.nan; d5.to_csv("nantask.csv", index=False)
d6 = df.copy(); d6.loc[5, "x3"] = np.inf; d6.to_csv("inf.csv", index=False)
df.drop(columns="x4").to_csv("nox4.csv", index=False)
df[["task", "x2", "x1", "x3", "x4", "y"]].to_csv("swapped.csv", index=False)
df[df.task.isin(["t0", "t1", "t2"])].to_csv("three.csv", index=False)
sys.argv = ["x", "gauss"]
exec(open("api.py").read().split("case = sys.argv[1]")[0])   # make() from api.py
u, _, _ = make("uniform01", True); u.to_csv("unif_icpt.csv", index=False); u.drop(columns="one").to_csv("unif_noone.csv", index=False)
g, _, _ = make("gauss", True); g.drop(columns="one").to_csv("gauss_noone.csv", index=False)
