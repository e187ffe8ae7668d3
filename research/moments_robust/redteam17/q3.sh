#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.05_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
while pgrep -f "q2.sh" >/dev/null; do sleep 2; done
python3 $D/batch17.py 0.05 3 $D/a05_b2.log \
"$H\"rows\": 1, \"lever\": 4.6, \"resid\": 3.25, \"noise\": 1.45$T" \
"$H\"rows\": 1, \"lever\": 4.6, \"resid\": 2.9, \"noise\": 1.45$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 2.5, \"noise\": 1.45$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 2.2, \"noise\": 1.45$T" \
"$H\"rows\": 2, \"multi\": 0.6, \"lever\": 3.4, \"resid\": 2.5, \"noise\": 1.45$T"
