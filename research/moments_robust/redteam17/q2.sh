#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.01_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
while pgrep -f "batch17.py 0.01 2 $D/a01_b1.log" >/dev/null; do sleep 2; done
python3 $D/batch17.py 0.01 2 $D/a01_b2.log \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 2.05$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 2.3$T" \
"$H\"rows\": 3, \"lever\": 2.8, \"resid\": 1.85$T" \
"$H\"rows\": 4, \"lever\": 2.0, \"resid\": 1.8$T" \
"$H\"rows\": 5, \"lever\": 1.8, \"resid\": 1.6$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 1.85, \"others\": 20$T" \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 2.0$T"
