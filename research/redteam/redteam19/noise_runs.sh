#!/bin/sh
# Seed 2: noise on the shift rows keeps a larger shift under the score edge
# (shape_s2: noise 0.7 at shift 0.42 silent); larger noise and shift, alone
# and with anchor_leak on the draw that paid (2).
R=research/redteam/redteam18
L=research/redteam/redteam19/logs
ds() { echo "{\"family\": \"diluted_shift\", \"shift\": $1, \"R\": 2.0, \"z_d\": 6, \"noise\": $2}"; }
[ -z "$SECOND$THIRD" ] && python3 $R/scale.py --problem large_above --seed 2 --alpha 0.05 --avoid 0 --aim heavy \
    --out $L/noise_s2.jsonl "$(ds 0.5 1.2)" "$(ds 0.6 1.8)"
[ -z "$SECOND$THIRD" ] && python3 $R/scale.py --problem large_above --seed 2 --alpha 0.05 --avoid 0 --aim heavy \
    --heavy '["anchor_leak", {"direction": "error"}]' --draws 2 \
    --out $L/noise_heavy_s2.jsonl "$(ds 0.42 0.7)" "$(ds 0.5 1.2)" "$(ds 0.6 1.8)"
# second batch (noise_heavy_s2b): around shift 0.6 / noise 1.8, which moved
# the fit to 0.154 and warned on refit agreement alone (3.16 against 3.0)
if [ -n "$SECOND" ]; then
python3 $R/scale.py --problem large_above --seed 2 --alpha 0.05 --avoid 0 --aim heavy \
    --heavy '["anchor_leak", {"direction": "error"}]' --draws 2 \
    --out $L/noise_heavy_s2b.jsonl "$(ds 0.55 1.5)" "$(ds 0.6 1.6)" "$(ds 0.6 2.2)" "$(ds 0.7 2.4)"
fi
# third batch (THIRD=1; noise_heavy_s0, noise_heavy_s1): the same on seeds 0
# and 1 at the draws that paid there
if [ -n "$THIRD" ]; then
python3 $R/scale.py --problem large_above --seed 0 --alpha 0.05 --avoid 0 --aim heavy \
    --heavy '["anchor_leak", {"direction": "error"}]' --draws 1 \
    --out $L/noise_heavy_s0.jsonl "$(ds 0.5 1.2)"
python3 $R/scale.py --problem large_above --seed 1 --alpha 0.05 --avoid 0 --aim heavy \
    --heavy '["anchor_leak", {"direction": "error"}]' --draws 13 \
    --out $L/noise_heavy_s1.jsonl "$(ds 0.5 1.2)"
fi
