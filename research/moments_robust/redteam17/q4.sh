#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.01_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
while pgrep -f "q3.sh" >/dev/null; do sleep 2; done
python3 $D/batch17.py 0.01 2 $D/a01_b3.log \
"$H\"rows\": 4, \"lever\": 2.0, \"resid\": 2.2$T" \
"$H\"rows\": 4, \"lever\": 2.3, \"resid\": 1.8$T" \
"$H\"rows\": 3, \"lever\": 3.0, \"resid\": 2.2$T" \
"$H\"rows\": 3, \"lever\": 3.3, \"resid\": 2.0$T" \
"$H\"rows\": 4, \"lever\": 2.0, \"resid\": 1.8, \"noise\": 1.2$T"
for dr in 1 3; do
python3 $D/batch17.py 0.01 $dr $D/a01_draws.log \
"$H\"rows\": 4, \"lever\": 2.0, \"resid\": 1.8$T" \
"$H\"rows\": 3, \"lever\": 2.5, \"resid\": 1.85$T"
done
