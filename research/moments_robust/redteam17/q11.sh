#!/bin/sh
D=research/moments_robust/redteam17
H='{"light2": ["hidden_lever", {"component": 4, '; T=', "direction": "'$D/clean_err_s2_a0.01_c4.npy'"}]}'
while pgrep -f "q10.sh" >/dev/null; do sleep 2; done
SEED=2 python3 $D/batch17.py 0.01 2 $D/a01_seed2_c4b.log \
"$H\"rows\": 4, \"lever\": 2.3, \"resid\": 1.55$T" \
"$H\"rows\": 3, \"lever\": 2.9, \"resid\": 1.65$T" \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 1.7, \"others\": 10$T"
SEED=2 python3 $D/batch17.py 0.01 3 $D/a01_seed2_c4b.log \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6$T" \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 1.7$T"
