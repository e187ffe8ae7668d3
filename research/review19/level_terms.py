"""The subspace filter's level terms at n points: the c-term 2α log(1/α), the
clean term 1.5·clean_excess(k, ā(n)) (which already carries the trimming at
ā(n)), and finite_sample_factor(k, α, n), which _filter_once multiplies onto
their max; plus the factor's values against its docstring."""
import numpy as np
from robust_mlr.stages.subspace._level import finite_sample_factor as f, clean_excess
from robust_mlr.threat import excess_limit

for a in (0.05, 0.1):
    for k in (1, 2, 3, 4):
        print("factor", a, k, [round(f(k, a, n), 2) for n in (20, 150, 300, 600, 1200, 3000, 5999, 6000)])
for a in (0.02, 0.05, 0.1):
    for k in (1, 2, 3, 4, 6):
        for n in (300, 1200, 6000):
            at = min(excess_limit(a, n) / n, 0.49)
            b1, b2 = 2 * a * np.log(1 / a), 1.5 * clean_excess(k, at)
            print(f"alpha={a} k={k} n={n} a_trim={at:.3f} c-term={b1:.3f} clean-term={b2:.3f} "
                  f"factor={f(k, a, n):.2f}")
