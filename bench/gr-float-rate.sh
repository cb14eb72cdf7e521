#!/usr/bin/env bash
# Raw gr-float from GNU Radio's zeromq.push_sink at the flowgraph's own top rate: the same transmitter
# (flowgraphs/ldpc_tx.py, no throttle) runs twice, once into a bare ZMQ PULL that only counts the floats (the
# flowgraph's top rate) and once into `receiver run` (configs/gnuradio.json: Overflow block, so a slower receiver
# slows the flowgraph instead of dropping) with flowgraphs/bit_sink.py checking every bit. Prints both wall times,
# their ratio, and the receiver's and the bit sink's counts.
#   bench/gr-float-rate.sh [FRAMES] [CODE] [EBN0]      (defaults 200000 nr:224,256 8)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-200000}
code=${2:-nr:224,256}
ebn0=${3:-8}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
info=$(./receiver codes encode --code "$code" --frames "$frames" --seed 11 --info-out "$work/info.bin" --codeword-out "$work/cw.bin")
read -r n k rate < <(/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["n"], d["k"], d["rate"])' "$info")
tx=(/usr/bin/python3 -u flowgraphs/ldpc_tx.py --codeword-file "$work/cw.bin" --ebn0 "$ebn0" --rate "$rate" --noise-seed 5)
now() { date +%s.%N; }

# 1. The flowgraph alone: a PULL that counts floats until every frame's LLRs arrived.
/usr/bin/python3 - "$((frames * n))" tcp://127.0.0.1:5565 > "$work/pull.json" <<'PY' &
import json, sys, time, zmq
want, endpoint = int(sys.argv[1]), sys.argv[2]
s = zmq.Context().socket(zmq.PULL); s.connect(endpoint)
got, first = 0, None
while got < want:
    got += len(s.recv(copy=False).buffer) // 4
    first = first or time.time()
print(json.dumps({"floats": got, "seconds_after_first": time.time() - first}))
PY
pull=$!
start=$(now); "${tx[@]}" --endpoint tcp://127.0.0.1:5565 > /dev/null; wait $pull; alone=$(echo "$(now) - $start" | bc)

# 2. The same flowgraph into the receiver, the bit sink on its output.
./receiver run --config configs/gnuradio.json --code "$code" --ingest tcp://127.0.0.1:5555 --ingest-format gr-float \
  --llr-sign gnuradio --publish tcp://127.0.0.1:5556 --output unpacked-info --metrics-port 0 > "$work/receiver.out" 2> "$work/receiver.err" &
receiver=$!
until grep -q ready "$work/receiver.out" "$work/receiver.err" 2>/dev/null; do sleep 0.2; done
/usr/bin/python3 -u flowgraphs/bit_sink.py --endpoint tcp://127.0.0.1:5556 --reference-file "$work/info.bin" --info-bits "$k" > "$work/sink.json" &
sink=$!
sleep 1
start=$(now); "${tx[@]}" --endpoint tcp://127.0.0.1:5555 > /dev/null; wait $sink; through=$(echo "$(now) - $start" | bc)
mb=$(echo "$frames * $n * 4 / 1000000" | bc -l)
printf 'code %s, %d frames (%.1f MB of float LLRs), Eb/N0 %s dB\n' "$code" "$frames" "$mb" "$ebn0"
printf 'flowgraph -> bare PULL:  %.2f s (%.0f frames/s, %.0f MB/s)  %s\n' "$alone" "$(echo "$frames / $alone" | bc -l)" "$(echo "$mb / $alone" | bc -l)" "$(cat "$work/pull.json")"
printf 'flowgraph -> receiver:   %.2f s (%.0f frames/s, %.0f MB/s)  ratio %.2f\n' "$through" "$(echo "$frames / $through" | bc -l)" "$(echo "$mb / $through" | bc -l)" "$(echo "$through / $alone" | bc -l)"
echo "bit sink: $(tail -n 1 "$work/sink.json")"
kill -TERM $receiver; wait $receiver || true
echo "receiver's last lines:"; tail -n 6 "$work/receiver.out" "$work/receiver.err"
