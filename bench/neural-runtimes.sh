#!/usr/bin/env bash
# Interleaved runs of the neural bench, one process per runtime and round (A B A B ...), so a noisy machine
# weighs on every runtime alike; prints each run's table, then the median over the rounds per row.
#   bench/neural-runtimes.sh [ROUNDS] [MODEL_FILTER ...]     (runtimes: $RUNTIMES, default "onnxruntime torchsharp")
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; shift || true
filters=("${@:-eccfm-polar64}")
runtimes=(${RUNTIMES:-onnxruntime torchsharp})
dotnet build bench/Receiver.Bench -c Release -nologo -v q >/dev/null
log="$(mktemp)"
for round in $(seq "$rounds"); do
  for runtime in "${runtimes[@]}"; do
    for filter in "${filters[@]}"; do
      echo "# round $round, $runtime, $filter, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
      scripts/torch-env.sh dotnet bench/Receiver.Bench/bin/Release/net10.0/Receiver.Bench.dll neural "$runtime" "$filter" | tee -a "$log" >&2
    done
  done
done
echo "median over $rounds rounds: frames/s, frames per CPU-second; batch 1 also p50/p99 us"
# columns: runtime model code MFLOP threads batch frames/s fr/CPU-s GFLOP/s of-peak [p50 p99 bytes]
awk '$7 ~ /^[0-9]+$/ { print $1, $2, $3, $5, $6, $7, $8, ($6 == 1 ? $12 " " $13 : "- -") }' "$log" | sort -k1,1 -k2,2 -k3,3 -k4,4n -k5,5n |
  awk 'function median(list,   a, m, i, j, t) { m = split(list, a, " "); for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
         return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
       { key = $1 " " $2 " " $3 " " $4 " " $5; if (key != last && last != "") emit(); if (key != last) { fps = cpu = p50 = p99 = "" } last = key
         fps = fps " " $6; cpu = cpu " " $7; p50 = p50 " " $8; p99 = p99 " " $9 }
       function emit() { split(last, k, " "); printf "%-11s %-15s %-14s threads %s batch %4s  %7.0f fr/s  %7.0f fr/CPU-s", k[1], k[2], k[3], k[4], k[5], median(fps), median(cpu);
         if (p50 !~ /-/) printf "  p50 %6.0f us  p99 %6.0f us", median(p50), median(p99); printf "\n" }
       END { if (last != "") emit() }'
rm -f "$log"
