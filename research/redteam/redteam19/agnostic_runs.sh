#!/bin/sh
# Sample-agnostic diluted_shift on light 2 (placed where the family puts
# it: about half read), alone and with the heavy pool's anchor_leak, near
# the score reading's edge, on the 320 000-task pool (redteam18's scale.py).
R=research/redteam/redteam18
L=research/redteam/redteam19/logs
H='["anchor_leak", {"direction": "error"}]'
ds() { echo "{\"family\": \"diluted_shift\", \"shift\": $1, \"R\": 2.0, \"z_d\": 6}"; }
python3 $R/scale.py --problem large_above --seed 0 --alpha 0.05 --avoid 0 --aim heavy --heavy "$H" \
    --out $L/agnostic_heavy_s0.jsonl "$(ds 0.38)" "$(ds 0.42)"
for s in 1 2; do
  python3 $R/scale.py --problem large_above --seed $s --alpha 0.05 --avoid 0 --aim heavy --heavy "$H" \
      --out $L/agnostic_heavy_s$s.jsonl "$(ds 0.3)" "$(ds 0.35)"
  python3 $R/scale.py --problem large_above --seed $s --alpha 0.05 --avoid 0 --aim heavy \
      --out $L/agnostic_s$s.jsonl "$(ds 0.3)" "$(ds 0.35)"
done
