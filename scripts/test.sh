#!/usr/bin/env bash
# Runs every test of the solution after installing what they need; ends with one summary line
# "N passed, N failed" and dotnet test's exit code.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1
# libtorch on CPU (neural decoder tests): OpenBLAS single-threaded, jemalloc without decay, as ./receiver does.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# libgomp worker threads sleep instead of spinning between forward passes: on 2 shared cores spinning
# threads starved the process (ecct-ldpc49 eval, 2 threads, loaded machine: >300 s vs 62 frames/s passive).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ "${RECEIVER_PLAIN_MALLOC:-0}" != 1 ] && [ -f "$jemalloc" ]; then
  export LD_PRELOAD="$jemalloc${LD_PRELOAD:+:$LD_PRELOAD}"
  export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
fi
log=$(mktemp)
dotnet test Receiver.sln -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
# The training package's plain-assert tests (tiny trainings, export, golden round trip): each prints
# "ok NAME" per passing test; a file that exits non-zero counts as one failure.
for test in train/tests/test_*.py; do
  if /usr/bin/python3 "$test" 2>&1 | tee "$log" | grep -E '^(ok |Traceback|AssertionError)'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    passed=$((passed + $(grep -c '^ok ' "$log")))
  else
    tail -n 20 "$log"
    echo "FAILED: $test"
    failed=$((failed + 1))
    status=1
  fi
done
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$status"
