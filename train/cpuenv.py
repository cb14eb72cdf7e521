"""The process set-up training scripts re-exec with (see fast_cpu_environment)."""
import os
import sys


def fast_cpu_environment():
    """Re-exec once with OpenBLAS single-threaded and jemalloc without decay.

    Debian's torch 1.13 on 2 cores: an ECCT N=2 d=32 training step went from ~1.0 s to ~0.13 s.
    These must be set before the libraries load, hence the re-exec. RECEIVER_TRAIN_PLAIN=1 skips it. Call it before torch is imported.
    """
    if os.environ.get("RECEIVER_TRAIN_PLAIN") == "1" or os.environ.get("_RECEIVER_TRAIN_TUNED") == "1":
        return
    env = dict(os.environ, _RECEIVER_TRAIN_TUNED="1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
    if os.path.exists(jemalloc) and "jemalloc" not in env.get("LD_PRELOAD", ""):
        env["LD_PRELOAD"] = (env.get("LD_PRELOAD", "") + " " + jemalloc).strip()
        env.setdefault("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)
