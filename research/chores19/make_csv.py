"""Write a small user CSV (the layout of tests/test_cli_user_data.py) and the
same file with a leading unnamed index column, as pandas' df.to_csv() writes."""
import csv, sys
import numpy as np

def write(path, index=False, seed=0, n_light=600, n_heavy=40, d=4):
    rng = np.random.default_rng(seed)
    W = np.linalg.qr(np.random.default_rng(99).standard_normal((d, 2)))[0]
    sizes = np.r_[np.full(n_light, 3), np.full(n_heavy, 30)]
    comp = rng.integers(0, 2, sizes.size)
    r = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(([""] if index else []) + ["task", *[f"x{j}" for j in range(d)], "y"])
        for i, (t, c) in enumerate(zip(sizes, comp)):
            X = rng.standard_normal((t, d))
            y = X @ W[:, c] + 0.3 * rng.standard_normal(t)
            for row, yi in zip(X.tolist(), y.tolist()):
                w.writerow(([r] if index else []) + [f"user{i}", *row, yi]); r += 1

if __name__ == "__main__":
    write(sys.argv[1]); write(sys.argv[2], index=True)
