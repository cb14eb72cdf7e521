#!/usr/bin/env bash
# The hybrid error-floor study (issue 6, ecct-error-floor-hybrid.txt Table I and Fig. 4) on one BCH code:
# FER of ECCT alone and of each hybrid configuration, with the BCE-trained ECCT and the loss-(IV) one, next to
# the hard decision, Berlekamp-Massey and BP-50; JSON lines into models/hybrid-study/eval/, then the table and plot.
#   scripts/hybrid-study.sh BCH_N63_K36 models/ecct-bch63-36 models/ecct-bch63-36-hybrid
# ECCT runs on every frame in ecct and ecct+bm (MAX_FRAMES_ALL frames at most); with a pre-decoder only on the frames
# Berlekamp-Massey cannot correct, so those configurations reach far lower FER (MAX_FRAMES_PRE). A file that exists is kept
# (rerun after deleting it).
set -euo pipefail
cd "$(dirname "$0")/.."
code=${1:?usage: scripts/hybrid-study.sh CODE BCE_MODEL LOSS_MODEL}; bce=${2:?}; loss=${3:?}
ebn0=${EBN0:-4,5,6,7,8}; errors=${MIN_FRAME_ERRORS:-100}
out=models/hybrid-study/eval; mkdir -p "$out"
run() { local file=$1; shift; [ -s "$file" ] || ./receiver eval --code "$code" --ebn0 "$ebn0" --min-frame-errors "$errors" --seed 1 --json "$@" > "$file"; }
tag() { [ "$1" = "$loss" ] && echo "+loss(IV)" || true; }
run "$out/$code.classical.jsonl" --decoder hard,bm --max-frames "${MAX_FRAMES_PRE:-3000000}"
run "$out/$code.bp50.jsonl" --decoder bp --iterations 50 --max-frames "${MAX_FRAMES_ALL:-300000}"
for model in "$bce" "$loss"; do  # cheap first: ECCT only behind the pre-decoder
  for decoder in bm+ecct+bm bm+ecct; do run "$out/$code.$decoder$(tag "$model").jsonl" --decoder "$decoder" --model "$model" --max-frames "${MAX_FRAMES_PRE:-3000000}"; done
done
for model in "$bce" "$loss"; do
  for decoder in ecct ecct+bm; do run "$out/$code.$decoder$(tag "$model").jsonl" --decoder "$decoder" --model "$model" --max-frames "${MAX_FRAMES_ALL:-300000}"; done
done
/usr/bin/python3 train/hybrid.py table models/hybrid-study/eval models/hybrid-study/fer.png | tee models/hybrid-study/TABLE.md
