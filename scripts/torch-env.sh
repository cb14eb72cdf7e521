#!/usr/bin/env bash
# Process set-up for libtorch on CPU (TorchSharp's in the receiver, Debian's in train/ tests), sourced by
# ./receiver and scripts/test.sh, or used as a prefix:
#   scripts/torch-env.sh dotnet run -c Release --project bench/Receiver.Bench -- neural torchsharp
# Debian's libtorch is about 10x slower without OpenBLAS held to one thread and jemalloc with decay off
# (RECEIVER_PLAIN_MALLOC=1 keeps glibc malloc). libgomp's worker threads sleep instead of spinning between
# forward passes: on 2 shared cores spinning threads starved the process (ecct-ldpc49 eval, 2 threads,
# loaded machine: over 300 s for 2048 frames, against 62 frames/s with PASSIVE).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [[ "${RECEIVER_PLAIN_MALLOC:-0}" != 1 && -f "$jemalloc" && ":${LD_PRELOAD:-}:" != *":$jemalloc:"* ]]; then
    export LD_PRELOAD="$jemalloc${LD_PRELOAD:+:$LD_PRELOAD}"
    export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
fi
if [[ "${BASH_SOURCE[0]}" == "$0" && $# -gt 0 ]]; then
    exec "$@"
fi
