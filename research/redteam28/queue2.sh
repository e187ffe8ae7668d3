#!/bin/sh
R=research/redteam28
sh $R/run.sh 2 push
sh $R/run.sh 2 below
sh $R/run.sh 2 l1
sh $R/run.sh 0 multi
sh $R/run.sh 1 multi
sh $R/run.sh 2 keys
