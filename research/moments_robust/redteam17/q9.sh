#!/bin/sh
D=research/moments_robust/redteam17
H='{"light2": ["hidden_lever", {'
for dr in 1 2; do
SEED=2 python3 $D/batch17.py 0.01 $dr $D/a01_seed2_c4.log \
"$H\"component\": 4, \"rows\": 4, \"lever\": 2.2, \"resid\": 1.6, \"direction\": \"$D/clean_err_s2_a0.01_c4.npy\"}]}" \
"$H\"component\": 4, \"rows\": 3, \"lever\": 2.75, \"resid\": 1.7, \"direction\": \"$D/clean_err_s2_a0.01_c4.npy\"}]}" \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6, \"direction\": \"tilde\"}]}" \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6, \"direction\": \"fixed\"}]}"
done
