"""Numbers behind tests/test_anchor_trace_cap.py on the code first on PYTHONPATH."""
import sys
sys.path.insert(0, "tests")
import test_anchor_trace_cap as T  # noqa: E402

p = T.make_problem()
lo, rl = T._heavy_along(p, float(sys.argv[1]))
hi, rh = T._heavy_along(p, float(sys.argv[2]))
share = 20 / rh["tasks"]
print(f"along u at delta {sys.argv[1]}: {lo:.3f}, {sys.argv[2]}: {hi:.3f}; slope {hi - lo:.3f}; count share "
      f"{share:.3f}; slope/share {(hi - lo) / share:.3f}; records removed {rl['removed']},{rh['removed']} "
      f"median dirs {rl['median_directions']},{rh['median_directions']} top {rh['top_eig_over_level']:.3f} "
      f"dir {rh['direction_over_level']:.3f} passed {rl['passed']},{rh['passed']}")
