#!/bin/sh
# redteam23 step 1: the strongest known rows on this code (rt21, rt22, mr02's
# rows and re-tuned rows, the seventeenth team's hidden_lever), seeds 0-3.
# Run from the worktree root: sh research/redteam/redteam23/replay.sh > research/redteam/redteam23/replay.log 2>&1
D=research/redteam/redteam23
export PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21 OMP_NUM_THREADS=1
sh research/moments_robust/mr02/rows.sh 1
python3 research/redteam/redteam21/rt21.py --seed 1 \
  --row '{"component":2,"rows":3,"lever":2.8,"resid":1.8,"npairs":6,"d_lever":10,"d_resid":1.3,"ndecoy":16,"draw":2,"vdirs":"research/redteam/redteam21/vdirs_s1_c2.npy"}' \
  --row '{"component":2,"npairs":6,"rows":3,"lever":2.8,"resid":1.8,"ndecoy":55,"d_lever":12,"d_resid":1.5,"draw":3}' \
  --row '{"component":2,"npairs":6,"rows":3,"lever":2.6,"resid":1.8,"ndecoy":55,"d_lever":12,"d_resid":1.5,"draw":3}' \
  --row '{"component":2,"rows":3,"lever":2.8,"resid":1.8,"npairs":0,"ndecoy":0,"draw":2}' \
  --row '{"component":2,"rows":3,"lever":2.8,"resid":1.8,"npairs":0,"ndecoy":0,"draw":3}' \
  --row '{"attack":"hidden_lever","component":2,"rows":4,"lever":2.2,"resid":1.6,"draw":2}'
for s in 0 2 3; do sh research/moments_robust/mr02/rows.sh $s; done
