#!/usr/bin/env bash
# Runs every test of the solution after installing what they need; ends with one summary line
# "N passed, N failed" and dotnet test's exit code.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit 1
log=$(mktemp)
dotnet test Receiver.sln -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$status"
