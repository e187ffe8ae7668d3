"""Peak RSS and time of capped_grams alone on the light-2 pool of a pools
directory (argv[1]; the 10⁸ set: 1.25·10⁷ tasks × 4 = 5·10⁷ rows, d = 32,
float32 on disk). The pool is read from disk by blocks; labels are drawn
(−1..3) before the peak is reset, so the increase is the function's own.
Run from a worktree with PYTHONPATH set to it."""
import resource, sys, time
import numpy as np
from robust_mlr._disk import DiskTasks
from robust_mlr.chunked import open_pools
from robust_mlr.stages.regression._pooled import capped_grams

def rss(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 2 ** 20     # GB
light = DiskTasks(open_pools(sys.argv[1])["light2"])   # as the out-of-core fit reads it
labels = np.random.default_rng(1).integers(-1, 4, light.n_tasks).astype(np.int64)
_ = light.offsets[-1], light.sizes.sum()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                                     # reset the peak (VmHWM) to the current RSS
base = rss("VmRSS:")
t0, c0 = time.perf_counter(), time.process_time()
gram, tau = capped_grams(light, labels, 4, 0.05)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(f"rows {light.n_examples} tasks {light.n_tasks} tau {tau!r} trace {np.trace(gram.sum(0))!r}")
print(f"RSS before {base:.3f} GB, peak during {rss('VmHWM:'):.3f} GB, increase "
      f"{rss('VmHWM:') - base:.3f} GB; wall {wall:.1f} s, CPU {cpu:.1f} s")
