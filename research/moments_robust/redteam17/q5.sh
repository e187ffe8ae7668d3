#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.05_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
while pgrep -f "q4.sh" >/dev/null; do sleep 2; done
python3 $D/batch17.py 0.05 3 $D/a05_b3.log \
"$H\"rows\": 2, \"lever\": 2.8, \"resid\": 2.6, \"noise\": 1.45$T" \
"$H\"rows\": 2, \"lever\": 3.05, \"resid\": 2.35, \"noise\": 1.6$T" \
"$H\"rows\": 2, \"lever\": 3.05, \"resid\": 2.35, \"noise\": 1.3$T" \
"$H\"rows\": 2, \"lever\": 3.05, \"resid\": 2.35, \"noise\": 1.45, \"rest\": 0.3$T" \
"$H\"rows\": 2, \"lever\": 3.05, \"resid\": 2.35, \"noise\": 1.45, \"share\": 0.9$T"
