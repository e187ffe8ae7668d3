#!/bin/sh
# The two worst alpha = 0.01 rows of the seventeenth red team, replayed on this tree.
cd "$(dirname "$0")/../../.."
for c in 4:2 6:1; do
  comp=${c%%:*}; draw=${c##*:}
  PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \
    python3 research/moments_robust/redteam17/replay17.py --seed 2 --alpha 0.01 --strategy \
    "search:$draw:{\"light2\": [\"hidden_lever\", {\"component\": $comp, \"rows\": 4, \"lever\": 2.2, \"resid\": 1.6, \"direction\": \"research/moments_robust/redteam17/clean_err_s2_a0.01_c$comp.npy\"}]}"
done
