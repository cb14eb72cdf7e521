#!/usr/bin/env bash
# Runs every test of the solution after installing what they need; ends with one summary line
# "N passed, N failed" and dotnet test's exit code.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1
# libtorch on CPU (neural decoder tests): the same process set-up as ./receiver.
source scripts/torch-env.sh
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
