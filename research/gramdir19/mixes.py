"""The test's attack (tests/test_pull_bias_direction.py: ⌊αn⌋ of component 2's
largest light-2 tasks, rows a share MIX along ±b̂ of the clean fit, honest
responses) at MIX 0.7 / 0.9 / 1.0 (rank-one rows: b̂ turns away from the
written direction most): ratio, trimmed ratio, pull.

    PYTHONPATH=<worktree>:<worktree>/tests OMP_NUM_THREADS=1 python3 research/gramdir19/mixes.py
"""
import numpy as np

import test_pull_bias_direction as T
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr.adversary import attack_settings, corrupt_pools

theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([0, 11]))
clean = T._fit(pools)
an = clean.diagnostics_["regression"]["anchor"]
c = int(np.argmin(np.linalg.norm(an["W_heavy"] - theta.W[:, [T.COMPONENT]], axis=0)))
u = an["predicted_bias"][:, c]
for mix in (0.7, 0.9, 1.0):
    bad = corrupt_pools(pools, T._BiasRows(theta, u, mix=mix), T.ALPHA, theta=theta,
                        settings=attack_settings(clean, T.ALPHA), rng=np.random.default_rng(19))
    a = T._fit(bad).diagnostics_["regression"]["anchor"]
    print(f"mix {mix}: component {c} ratio {a['mse_ratio'][c]:.3f} trimmed "
          f"{a['mse_ratio_trimmed'][c]:.3f} pull {a['pull'].tolist()}", flush=True)
