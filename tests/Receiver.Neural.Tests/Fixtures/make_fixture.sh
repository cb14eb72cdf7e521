#!/usr/bin/env bash
# Rebuilds the fixture model Fixtures/models/ecct-fixture-ldpc49 with the project's own training and export
# (train/train.py, train/export.py) from ecct_fixture.py: fixed seed, about 1000 steps on one thread.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"
rm -rf /tmp/receiver-ecct-fixture "$here/models/ecct-fixture-ldpc49"
/usr/bin/python3 train/train.py "$here/ecct_fixture.py"
/usr/bin/python3 train/export.py /tmp/receiver-ecct-fixture --models_dir="$here/models" \
  --description="Test fixture: ECCT N=1 d=16, 1000 CPU steps; not a shipped model."
