#!/bin/sh
# Seed 0: the heavy part pushed harder (level 1.2, or the scan told the light
# fit moves ahead along u) under the sample-agnostic light push at shift
# 0.35; then grinding (draws 2-5) at shift 0.38, just past the score edge.
R=research/redteam/redteam18
L=research/redteam/redteam19/logs
ds() { echo "{\"family\": \"diluted_shift\", \"shift\": $1, \"R\": 2.0, \"z_d\": 6}"; }
for H in '["anchor_leak", {"direction": "error", "level": 1.2}]' \
         '["anchor_leak", {"direction": "error", "light": "ahead"}]'; do
  python3 $R/scale.py --problem large_above --seed 0 --alpha 0.05 --avoid 0 --aim heavy --heavy "$H" \
      --out $L/heavy_variants_s0.jsonl "$(ds 0.35)"
done
python3 $R/scale.py --problem large_above --seed 0 --alpha 0.05 --avoid 0 --aim heavy \
    --heavy '["anchor_leak", {"direction": "error"}]' --draws 2 3 4 5 \
    --out $L/grind_heavy_s0.jsonl "$(ds 0.38)"
