"""The two tables of docs/baselines.md (subspace error; whole learners'
w error / MSE), means over the replicates of a ``baselines`` study CSV,
the best of each row in bold.

    python3 research/baselines17/tables.py docs/results/baselines.csv
"""
import csv
import sys
from collections import defaultdict

SUB = ["pca", "filter", "meta_sp", "amht_lrs", "moments"]
LEARN = ["icml", "robust", "icml_metasp", "icml_amht", "em", "mom"]
HEAD_L = ["icml", "robust", "icml + meta_sp", "icml + amht_lrs", "em", "mom"]


def _num(x):
    return float(x) if x not in ("", None) else None


def main(path):
    rows = list(csv.DictReader(open(path)))
    groups = defaultdict(list)
    for r in rows:
        groups[(r["param.attack"], int(r["param.t_L"]), int(r["param.N_L"]))].append(r)
    order = sorted(groups, key=lambda g: (g[0] != "none", ["none", "subspace_spike", "fake_cluster",
                                                           "gradient_aligned"].index(g[0]), g[1], g[2]))

    def mean(rs, key):
        v = [_num(r[key]) for r in rs]
        v = [x for x in v if x is not None]
        return sum(v) / len(v) if v else None

    print("| attack | t_L | N_L | " + " | ".join(SUB) + " |")
    print("| --- | --- | --- |" + " --- |" * len(SUB))
    for g in order:
        vals = [mean(groups[g], f"sub_{m}") for m in SUB]
        best = min(v for v in vals if v is not None)
        cells = ["—" if v is None else (f"**{v:.3f}**" if round(v, 3) == round(best, 3) else f"{v:.3f}")
                 for v in vals]
        print(f"| {g[0]} | {g[1]} | {g[2]:,} | ".replace(",", " ") + " | ".join(cells) + " |")
    print()
    print("| attack | t_L | N_L | " + " | ".join(HEAD_L) + " |")
    print("| --- | --- | --- |" + " --- |" * len(LEARN))
    for g in order:
        w = [mean(groups[g], f"{m}_w_err") for m in LEARN]
        e = [mean(groups[g], f"{m}_mse") for m in LEARN]
        bw = min(v for v in w if v is not None)
        be = min(v for v in e if v is not None)
        cells = []
        for a, b in zip(w, e):
            if a is None:
                cells.append("—")
                continue
            sa = f"**{a:.3f}**" if round(a, 3) == round(bw, 3) else f"{a:.3f}"
            sb = f"**{b:.3f}**" if round(b, 3) == round(be, 3) else f"{b:.3f}"
            cells.append(f"{sa} / {sb}")
        print(f"| {g[0]} | {g[1]} | {g[2]:,} | ".replace(",", " ") + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
