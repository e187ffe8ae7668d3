#!/bin/bash
# usage: ./run.sh "command"  -- logs command, output, exit code, time to log.txt
export PYTHONPATH=/work/wt-newuser20:/tmp/nu20pkgs OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
{
echo "\$ $1"
s=$(date +%s.%N)
bash -c "$1" 2>&1
rc=$?
e=$(date +%s.%N)
printf "[exit %d, %.1f s]\n\n" $rc $(echo "$e - $s" | bc)
} | tee -a log.txt
