#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.01_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
python3 $D/batch17.py 0.01 2 $D/a01_b4.log \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 1.7$T" \
"$H\"rows\": 3, \"lever\": 2.65, \"resid\": 1.75$T" \
"$H\"rows\": 4, \"lever\": 2.1, \"resid\": 1.65$T" \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6$T" \
"$H\"rows\": 3, \"lever\": 2.9, \"resid\": 1.6$T" \
"$H\"rows\": 2, \"lever\": 3.3, \"resid\": 1.7$T"
