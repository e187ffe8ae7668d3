"""The quick demo's subspace_spike fit at alpha = 0.1, replayed on the demo's
random stream (robust_mlr.demo.run, seed 0): how many tasks of light 1 the
attack replaced, how many of them and of the clean tasks the subspace
filter removed, and the limit the fit checks the removals against."""
import sys
import warnings
import numpy as np
from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import default_problem, make_tasks
from robust_mlr.threat import excess_limit

attack = sys.argv[1] if len(sys.argv) > 1 else "subspace_spike"
alpha = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
rng = np.random.default_rng(seed)
params, pools = default_problem(rng, True)
make_tasks(params, 2000, 5, rng=rng)
MetaLearner.icml(params.k, rng=rng).fit(pools)
if attack == "none":
    bad = np.zeros(pools.light1.n_tasks, bool)
else:
    pools = corrupt_pools(pools, attack, alpha, theta=params, settings={"alpha": alpha}, rng=rng)
    bad = pools.masks["light1"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    if attack != "none":
        MetaLearner.icml(params.k, rng=rng).fit(pools)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(params.k, alpha, rng=rng).fit(pools)
sub = m.diagnostics_["subspace"]
kept = sub["kept"]
n = kept.size
print(f"attack {attack} alpha={alpha} seed={seed}: light1 n={n}, corrupted {int(bad.sum())} "
      f"(floor(alpha n) = {int(np.floor(alpha * n))})")
print(f"subspace removed {sub['removed']} (limit {sub['limit']} = alpha n + 3 sqrt(alpha n) + 1"
      f" = {alpha * n + 3 * np.sqrt(alpha * n) + 1:.1f}); of them corrupted "
      f"{int((~kept & bad).sum())}, clean {int((~kept & ~bad).sum())}; corrupted kept "
      f"{int((kept & bad).sum())}; passed={sub.get('passed')}, bulk_ratio={sub.get('bulk_ratio')}")
from robust_mlr import metrics
print(f"subspace_err {metrics.subspace_error(m.U_, params):.4f}, w_err "
      f"{metrics.parameter_errors(m.W_, m.s2_, m.p_, params)['w_err']:.4f}")
for w in caught:
    print("warning:", w.category.__name__, str(w.message)[:300])
