#!/usr/bin/env bash
# Measures a model folder with `./receiver eval` next to BP-50 and a near-ML decoder (SCL-8/OSD-2) on each of its codes (random codewords,
# at least MIN_FRAME_ERRORS frame errors per Eb/N0 point) and writes its CARD.md and the manifest's
# measured table from those JSON lines (train/card.py). Results stay in MODEL_DIR/eval/*.jsonl.
#   scripts/measure-model.sh models/NAME [EBN0_LIST]      (CODES="A B" measures only those of its codes)
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir=${1:?usage: scripts/measure-model.sh models/NAME [EBN0_LIST]}
ebn0=${2:-4,5,6}
min_errors=${MIN_FRAME_ERRORS:-100}
max_frames=${MAX_FRAMES:-2000000}
arch=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["architecture"])' "$model_dir/manifest.json")
codes=${CODES:-$(/usr/bin/python3 -c 'import json,sys; print(" ".join(c["code"] for c in json.load(open(sys.argv[1]))["codes"]))' "$model_dir/manifest.json")}
mkdir -p "$model_dir/eval"
for code in $codes; do
  file=${code//[^A-Za-z0-9_.-]/_}  # nr:224,256 -> nr_224_256
  common=(--code "$code" --ebn0 "$ebn0" --min-frame-errors "$min_errors" --max-frames "$max_frames" --seed 1 --json)
  ./receiver eval "${common[@]}" --decoder "$arch" --model "$model_dir" > "$model_dir/eval/$file.$arch.jsonl"
  [ -s "$model_dir/eval/$file.bp50.jsonl" ] || ./receiver eval "${common[@]}" --decoder bp --iterations 50 > "$model_dir/eval/$file.bp50.jsonl"
  # Near-ML references: SCL-8 for polar codes, OSD-2 for the short codes (their runs also count the ML lower bound);
  # none for 5G NR codes, which are too long for OSD.
  case $code in
    POLAR_*) near_ml=scl8,osd2 ;;
    nr:*) near_ml= ;;
    *) near_ml=osd2 ;;
  esac
  if [ -n "$near_ml" ] && [ ! -s "$model_dir/eval/$file.near-ml.jsonl" ]; then
    ./receiver eval "${common[@]}" --decoder "$near_ml" > "$model_dir/eval/$file.near-ml.jsonl"
  fi
done
/usr/bin/python3 train/card.py "$model_dir" "$model_dir"/eval/*.jsonl
