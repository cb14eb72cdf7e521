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
echo "median over $rounds rounds (frames/s; batch-1 p50/p99 us):"
awk '$7 ~ /^[0-9]+$/ { key = $1 " " $2 " " $3 " " $5 " " $6; fps[key] = fps[key] " " $7; if ($6 == 1) { p50[key] = p50[key] " " $10; p99[key] = p99[key] " " $11 } ; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  function median(list,   a, m) { m = split(list, a, " "); asort(a); return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END { for (i = 1; i <= n; i++) { k = order[i]; printf "%-60s %9.0f", k, median(fps[k]); if (k in p50) printf " %9.0f %9.0f", median(p50[k]), median(p99[k]); printf "\n" } }' "$log"
rm -f "$log"
