#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine with the .NET SDK, then restores
# and builds the solution. Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the receiver's ZeroMQ is NetMQ (managed, from NuGet); python3-zmq (libzmq) and
# python3-msgpack let tests cross-check the wire formats and CURVE against libzmq; gnuradio runs the
# end-to-end flowgraph test; matplotlib is the --plot fallback. Scripts use /usr/bin/python3,
# the interpreter that sees Debian's Python packages. Neural decoders run on ONNX Runtime and TorchSharp
# from NuGet; the build patches TorchSharp's native library for Debian 12's libstdc++ with
# scripts/torchsharp-glibcxx.py (python3, below). Training (train/): python3-torch and python3-numpy,
# with libopenblas0 instead of the reference BLAS Debian's torch would otherwise call and libjemalloc2
# (preloaded by train/cpuenv.py, ./receiver and scripts/test.sh); python3-onnx checks the exported .onnx files.
apt_packages=(python3-matplotlib python3-zmq python3-msgpack gnuradio
  libopenblas0 libjemalloc2 python3-torch python3-numpy python3-onnx)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup: the .NET SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
dotnet restore Receiver.sln --verbosity quiet
