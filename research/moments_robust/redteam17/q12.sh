#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.05_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
python3 $D/batch17.py 0.05 3 $D/a05_gentle.log \
"$H\"rows\": 4, \"lever\": 2.0, \"resid\": 1.5$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 1.7$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 1.7, \"noise\": 1.3$T" \
"$H\"rows\": 2, \"lever\": 3.05, \"resid\": 2.0$T" \
"$H\"rows\": 4, \"lever\": 2.0, \"resid\": 1.9, \"noise\": 1.45$T"
