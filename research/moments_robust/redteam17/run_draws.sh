#!/bin/sh
# alpha 0.05: near-edge rows of the noisy hidden_lever family on further draws
# (the silent band is draw-dependent); one fit at a time
D=research/moments_robust/redteam17
U=$D/clean_err_s1_a0.05_c6.npy
for draw in 4 5 6 7 8 9; do
python3 $D/batch17.py 0.05 $draw $D/a05_draws.log \
'{"light2": ["hidden_lever", {"rows": 2, "lever": 3.05, "resid": 2.35, "noise": 1.45, "direction": "'$U'"}]}' \
'{"light2": ["hidden_lever", {"rows": 2, "lever": 3.1, "resid": 2.3, "noise": 1.45, "direction": "'$U'"}]}' \
'{"light2": ["hidden_lever", {"rows": 2, "lever": 3.25, "resid": 2.25, "noise": 1.4, "direction": "'$U'"}]}'
done
