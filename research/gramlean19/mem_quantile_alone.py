import sys, time, tracemalloc
import numpy as np
from robust_mlr._disk import DiskTasks
from robust_mlr.chunked import open_pools
from robust_mlr._segments import task_weighted_row_quantile
from robust_mlr.stages.regression._misclass import example_weights
light = DiskTasks(open_pools(sys.argv[1])["light2"])
_ = light.offsets[-1]
tracemalloc.start()
t0 = time.perf_counter()
tau = task_weighted_row_quantile(light, 0.855)
print("quantile tau", tau, "traced peak GB", tracemalloc.get_traced_memory()[1] / 2**30, "wall", time.perf_counter() - t0)
tracemalloc.reset_peak()
c = example_weights(light, True)
print("example_weights traced peak GB", tracemalloc.get_traced_memory()[1] / 2**30)
