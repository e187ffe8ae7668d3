#!/bin/sh
# old (covariate scale off) and new filter under the subspace-stage attacks
for v in old new; do
  for att in subspace_spike variance_hiding threshold_aware multi_direction gradient_aligned; do
    for a in 0.05 0.1; do
      if [ $v = old ]; then export RMLR_OLD=1; else unset RMLR_OLD; fi
      python3 research/calib18/eval_fit.py quick gaussian,student,polynomial,fourier $att $a 3
    done
  done
done
