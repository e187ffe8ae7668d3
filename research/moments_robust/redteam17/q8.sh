#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s2_a0.01_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
for dr in 2 1 3; do
SEED=2 python3 $D/batch17.py 0.01 $dr $D/a01_seed2.log \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6$T" \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 1.7$T"
done
