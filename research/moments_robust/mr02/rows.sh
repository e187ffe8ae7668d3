#!/bin/sh
# mr02: the red-team rows, one driver call per problem seed (rt21's driver:
# one clean fit, then the rows).  Run from the repository root with
#   CODE=<checkout to test>  sh research/moments_robust/mr02/rows.sh SEED > LOG
# (CODE=$PWD: this branch; CODE=/work/main: before).
CODE=${CODE:-$PWD}
export PYTHONPATH=$CODE:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21 OMP_NUM_THREADS=1
R=research/redteam/redteam21
case $1 in
1) python3 $R/rt21.py --seed 1 \
   --row '{"component":2,"rows":3,"lever":3.2,"resid":1.8,"npairs":6,"d_lever":10,"d_resid":1.3,"ndecoy":16,"draw":2,"vdirs":"research/redteam/redteam21/vdirs_s1_c2.npy"}' \
   --row '{"component":2,"rows":3,"lever":3.0,"resid":1.8,"npairs":6,"d_lever":10,"d_resid":1.0,"ndecoy":12,"draw":3,"vdirs":"research/redteam/redteam21/vdirs_s1_c2.npy"}' \
   --row '{"component":2,"npairs":6,"rows":3,"lever":3.4,"resid":2.0,"ndecoy":55,"d_lever":12,"d_resid":1.5,"draw":1}' \
   --row '{"component":2,"npairs":6,"rows":3,"lever":3.4,"resid":2.0,"ndecoy":55,"d_lever":12,"d_resid":1.5,"draw":3}' \
   --row '{"component":2,"rows":3,"lever":3.2,"resid":1.8,"npairs":0,"ndecoy":0,"draw":2}' \
   --row '{"component":2,"rows":3,"lever":3.0,"resid":1.8,"npairs":0,"ndecoy":0,"draw":3}' \
   --row '{"component":2,"rows":3,"lever":3.4,"resid":2.0,"npairs":0,"ndecoy":0,"draw":1}' ;;
0) python3 $R/rt21.py --seed 0 \
   --row '{"component":6,"rows":3,"lever":3.2,"resid":1.8,"npairs":6,"d_lever":10,"d_resid":1.3,"ndecoy":16,"draw":3,"vdirs":"research/redteam/redteam21/vdirs_s0_c6.npy"}' \
   --row '{"component":6,"npairs":6,"ndecoy":55,"d_lever":12,"d_resid":1.5,"rows":3,"lever":3.4,"resid":2.0,"draw":3}' \
   --row '{"component":6,"rows":3,"lever":3.4,"resid":2.0,"npairs":0,"ndecoy":0,"draw":3}' ;;
2) python3 $R/rt21.py --seed 2 \
   --row '{"component":4,"rows":3,"lever":3.2,"resid":1.8,"npairs":6,"d_lever":10,"d_resid":1.3,"ndecoy":16,"draw":3,"vdirs":"research/redteam/redteam21/vdirs_s2_c4.npy"}' \
   --row '{"component":4,"npairs":6,"ndecoy":55,"d_lever":12,"d_resid":1.5,"rows":3,"lever":3.4,"resid":2.0,"draw":3}' \
   --row '{"attack":"hidden_lever","component":4,"rows":4,"lever":2.2,"resid":1.6,"draw":2}' \
   --row '{"attack":"hidden_lever","component":6,"rows":4,"lever":2.2,"resid":1.6,"draw":1}' ;;
3) python3 $R/rt21.py --seed 3 \
   --row '{"component":5,"rows":3,"lever":3.2,"resid":1.8,"npairs":6,"d_lever":10,"d_resid":1.3,"ndecoy":16,"draw":2,"vdirs":"research/redteam/redteam21/vdirs_s3_c5.npy"}' \
   --row '{"component":5,"npairs":6,"ndecoy":55,"d_lever":12,"d_resid":1.5,"rows":3,"lever":3.2,"resid":2.0,"draw":2}' ;;
esac
