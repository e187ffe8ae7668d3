import numpy as np, sys
from fractions import Fraction
import robust_mlr._select as S
from robust_mlr._select import blocked_weighted_quantile
S.GATHER_FROM, S.SAMPLE = int(sys.argv[2]), int(sys.argv[3])
calls = {"n": 0}
def exact(v, t, q):
    den = np.unique(t)
    T = q * S._weight(np.bincount(np.searchsorted(den, t)) * 1, den.astype(float))
    order = np.argsort(v, kind="stable"); T = Fraction(T); acc = Fraction(0)
    for i in order:
        acc += Fraction(1, int(t[i]))
        if acc >= T: return float(v[i])
    return float(v[order][-1])
def run(v, t, q, nb, rng):
    den = np.unique(t); cls = np.searchsorted(den, t)
    totals = np.bincount(cls, minlength=den.size)*1
    cuts = np.sort(rng.choice(v.size, nb, replace=True)) if nb else []
    idx = np.split(np.arange(v.size), cuts)
    def blocks():
        calls["n"] += 1
        return ((v[i], cls[i]) for i in idx)
    return blocked_weighted_quantile(blocks, den.astype(float), totals, q)
rng = np.random.default_rng(int(sys.argv[1]))
bad = 0; passes = []
for it in range(1000):
    n = int(rng.integers(1, 300)); kind = it % 6
    sizes = [rng.integers(2, 65, n), np.full(n, int(rng.choice([2,3,4,5,7,8,12,64]))),
             rng.integers(1, 6, n), rng.integers(2, 65, n), rng.integers(2, 65, n), rng.integers(2, 65, n)][kind]
    t = np.repeat(sizes, sizes); v = rng.standard_normal(t.size)**2
    if kind == 2: v = np.round(v, 1)
    if kind == 3: v = np.sort(v)
    if kind == 4: v = np.sort(v)[::-1].copy()
    if kind == 5: v[::max(v.size // S.SAMPLE, 1)] = 0.0
    q = float(rng.choice([0.9*0.95, 0.5, 0.0, 1.0, rng.uniform()]))
    calls["n"] = 0
    a, b = exact(v, t, q), run(v, t, q, int(rng.integers(0, 10)), rng)
    passes.append(calls["n"])
    if a != b: bad += 1; print("DIFF", it, kind, n, q, a, b)
print("bad", bad, "passes max", max(passes), "mean", np.mean(passes))
