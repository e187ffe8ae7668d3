#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.01_c6.npy
H='{"light2": ["wide_lever", {'; T=', "direction": "'$U'"}]}'
python3 $D/batch17.py 0.01 2 $D/a01_wide1.log \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6, \"g_rest\": 1.3$T" \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6, \"g_rest\": 1.45$T" \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 1.7, \"g_rest\": 1.3$T" \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 1.7, \"g_rest\": 1.45$T" \
"$H\"rows\": 3, \"lever\": 3.0, \"resid\": 1.65, \"g_rest\": 1.45$T" \
"$H\"rows\": 4, \"lever\": 2.4, \"resid\": 1.6, \"g_rest\": 1.45$T"
