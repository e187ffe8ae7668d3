#!/bin/sh
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.05_c6.npy
H='{"light2": ["hidden_lever", {'; T=', "direction": "'$U'"}]}'
while pgrep -f "q9.sh" >/dev/null; do sleep 2; done
python3 $D/batch17.py 0.05 3 $D/a05_gentle.log \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 1.6$T" \
"$H\"rows\": 4, \"lever\": 2.2, \"resid\": 2.2, \"noise\": 1.45$T" \
"$H\"rows\": 3, \"lever\": 2.75, \"resid\": 2.0, \"noise\": 1.45$T"
SEED=2 python3 $D/replay17.py --seed 2 --alpha 0.01 --strategy \
'search:1:{"light2": ["hidden_lever", {"rows": 4, "lever": 2.2, "resid": 1.6, "direction": "research/moments_robust/redteam17/clean_err_s2_a0.01_c6.npy"}]}' > $D/replay_best_a0.01_seed2.log 2>&1
