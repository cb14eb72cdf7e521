#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine with the .NET SDK, then restores
# and builds the solution. Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the receiver's ZeroMQ is NetMQ (managed, from NuGet); python3-zmq (libzmq) and
# python3-msgpack let tests cross-check the wire formats and CURVE against libzmq; gnuradio runs the
# end-to-end flowgraph test; matplotlib is the --plot fallback. Scripts use /usr/bin/python3,
# the interpreter that sees Debian's Python packages. Neural decoders: cmake, g++ and libtorch-dev
# build the libtorch bridge (native/torch_bridge); libopenblas0 replaces the reference BLAS that
# Debian's libtorch would otherwise call; libjemalloc2 is preloaded by ./receiver and scripts/test.sh;
# python3-torch and python3-numpy run train/.
apt_packages=(python3-matplotlib python3-zmq python3-msgpack gnuradio
  cmake g++ libtorch-dev libopenblas0 libjemalloc2 python3-torch python3-numpy)
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
# The libtorch bridge, into artifacts/native (skipped when it is newer than its sources).
bridge=artifacts/native/libtorch_bridge.so
if [ ! -f "$bridge" ] || [ -n "$(find native/torch_bridge -type f \( -name '*.cpp' -o -name '*.h' -o -name CMakeLists.txt \) -newer "$bridge" -print -quit)" ]; then
  echo "setup: building the libtorch bridge into artifacts/native" >&2
  cmake -S native/torch_bridge -B artifacts/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build artifacts/native -j2 >/dev/null
  touch "$bridge"
fi

dotnet restore Receiver.sln --verbosity quiet
