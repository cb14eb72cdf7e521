#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine with the .NET SDK, then restores
# and builds the solution. Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: libzmq5 is the ZeroMQ the transport binds to (GNU Radio links the same);
# python3-zmq/python3-msgpack let tests cross-check the wire formats; gnuradio runs the
# end-to-end flowgraph test; matplotlib is the --plot fallback. Scripts use /usr/bin/python3,
# the interpreter that sees Debian's Python packages.
apt_packages=(python3-matplotlib libzmq5 python3-zmq python3-msgpack gnuradio)
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
