#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU, its driver, CUDA 12 and cuDNN 9 (what ONNX Runtime's CUDA
# execution provider 1.31 loads) and the .NET SDK: a self-contained GPU build (-p:ReceiverGpu=true), every shipped
# model's golden files with the CUDA provider, then frames/s of eccfm-polar64 and ecct-ldpc49 at batch 1, 64 and 1024
# on cuda next to the CPU. Writes everything under $OUT (default artifacts/gpu-check) and prints a summary.
#   scripts/gpu-check.sh [FRAMES]        (frames per throughput point, default 20000)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-artifacts/gpu-check}"
frames="${1:-20000}"
mkdir -p "$out"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "nvidia-smi: not found"; } | tee "$out/gpu.txt"
echo "== self-contained GPU build" >&2
if ! dotnet publish src/Receiver.Cli -c Release -r linux-x64 --self-contained -p:ReceiverGpu=true -o "$out/receiver" -nologo -v q >"$out/publish.log" 2>&1; then
  tail -n 30 "$out/publish.log"; echo "gpu-check: the GPU build failed ($out/publish.log)"; exit 1
fi
receiver="$out/receiver/receiver"
echo "== golden files, ONNX Runtime with the CUDA provider" >&2
"$receiver" models check --runtime onnxruntime --device cuda | tee "$out/golden-cuda.txt"
golden_status=${PIPESTATUS[0]}
echo "== frames/s (eval, $frames frames per point, Eb/N0 5 dB, 1 intra-op thread on the CPU)" >&2
: >"$out/throughput.jsonl"
for spec in "eccfm POLAR_N64_K32 eccfm-polar64" "ecct LDPC_N49_K24 ecct-ldpc49"; do
  read -r decoder code model <<<"$spec"
  for device in cuda cpu; do
    for batch in 1 64 1024; do
      "$receiver" eval --code "$code" --decoder "$decoder" --model "$model" --runtime onnxruntime --device "$device" \
        --batch "$batch" --threads 1 --ebn0 5 --min-frame-errors 0 --max-frames "$frames" --json \
        | sed "s/^{/{\"device\":\"$device\",\"batch\":$batch,/" >>"$out/throughput.jsonl"
    done
  done
done
echo "model device batch frames/s BER"
/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["model"], r["device"], r["batch"], round(r["frames_per_s"]), "%.3e" % r["ber"])' "$out/throughput.jsonl"
[ "$golden_status" -eq 0 ] && echo "gpu-check: golden files pass on cuda" || echo "gpu-check: some golden files fail on cuda (see $out/golden-cuda.txt)"
exit "$golden_status"
