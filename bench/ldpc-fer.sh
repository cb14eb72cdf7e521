#!/usr/bin/env bash
# FER side by side of the generic LDPC decoders, early stop off (every frame gets all iterations), on the codes
# AFF3CT was measured on: layered-nms in float, int16 and int8 lanes, flooding nms and bp, same seed (so the
# same frames) for all. Each point stops at MIN_ERRORS frame errors (default 1000) or MAX_FRAMES frames.
#   bench/ldpc-fer.sh [CODE ...]        CODE as NAME:EBN0 (default the three below); ITERATIONS="10 50"
#   MIN_ERRORS=200 bench/ldpc-fer.sh LDPC_N121_K70:3.0
set -euo pipefail
cd "$(dirname "$0")/.."
points=("${@:-LDPC_N121_K70:3.0 wimax_576_0.5:2.0 LDPC_N1056_K880:3.5}")
points=(${points[@]})
iterations=(${ITERATIONS:-10 50})
min_errors="${MIN_ERRORS:-1000}"
max_frames="${MAX_FRAMES:-2000000}"
runs=("layered-nms float" "layered-nms int16" "layered-nms int8" "nms float" "bp float")
echo "# load $(cut -d' ' -f1-3 /proc/loadavg), stop at $min_errors frame errors or $max_frames frames, early stop off, seed 1" >&2
printf '%-16s %5s %3s  %-12s %-5s %9s %7s %10s %8s\n' code Eb/N0 it decoder type frames errors FER vs-float
for point in "${points[@]}"; do
  code="${point%%:*}"; ebn0="${point##*:}"
  for it in "${iterations[@]}"; do
    reference=""
    for run in "${runs[@]}"; do
      set -- $run
      element=()
      [[ "$1" == layered-nms ]] && element=(--element "$2")
      line="$(./receiver eval --code "$code" --decoder "$1" "${element[@]}" --iterations "$it" --no-early-stop --ebn0 "$ebn0" \
        --min-frame-errors "$min_errors" --max-frames "$max_frames" --seed 1 --json)"
      frames="$(jq -r .frames <<<"$line")"; errors="$(jq -r .frame_errors <<<"$line")"; fer="$(jq -r .fer <<<"$line")"
      [[ "$run" == "layered-nms float" ]] && reference="$fer"
      ratio="$(awk -v a="$fer" -v b="$reference" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')"
      printf '%-16s %5s %3s  %-12s %-5s %9s %7s %10.4g %8s\n' "$code" "$ebn0" "$it" "$1" "$2" "$frames" "$errors" "$fer" "$ratio"
    done
  done
done
