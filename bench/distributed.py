"""Frames/s of distributed decoding on this machine: one front end (Role frontend) and K worker processes
(Role worker), each worker pinned to one core with taskset, fed as fast as the front end takes frames.

    /usr/bin/python3 bench/distributed.py --workers 1 [--code LDPC_N121_K70 --decoder bp --iterations 50 --ebn0 2]
    /usr/bin/python3 bench/distributed.py --workers 1 --decoder hard --ebn0 20    # the front end's own ceiling

Prints one JSON line: workers, code, decoder, frames timed, seconds, frames/s, and the front end's final counts.
The sender (this script) and the front end share the machine with the workers; the figure is end to end
(ingest -> front end -> workers -> front end -> publish), timed from the first to the last of the timed outputs.
"""
import argparse, json, os, re, signal, subprocess, sys, tempfile, threading, time
import numpy as np, msgpack, zmq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def start(cli, config, pin=None):
    cmd = (["taskset", "-c", str(pin)] if pin is not None else []) + ["dotnet", cli, "run", "--config", config]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    errors = []
    threading.Thread(target=lambda: errors.extend(p.stderr), daemon=True).start()
    for line in p.stdout:
        if line.strip() == "ready":
            return p, errors
    raise SystemExit(f"{config}: exited before ready: {''.join(errors)}")


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--workers", type=int, default=1)
    a.add_argument("--code", default="LDPC_N121_K70")
    a.add_argument("--decoder", default="bp")
    a.add_argument("--iterations", type=int, default=50)
    a.add_argument("--ebn0", type=float, default=2.0)
    a.add_argument("--frames", type=int, default=20000)
    a.add_argument("--warmup", type=int, default=2000)
    a.add_argument("--window", type=int, default=256)
    a.add_argument("--cli", default=os.path.join(ROOT, "artifacts", "cli", "receiver.dll"))
    args = a.parse_args()

    ports = {k: free_port() for k in ("ingest", "publish", "work", "results")}
    folder = tempfile.mkdtemp(prefix="rx-dist-bench-")
    codes = [{"Spec": args.code, "Chain": {"Decoder": args.decoder, "Iterations": args.iterations, "SyndromeCheck": True}}]
    front = {"Receiver": {"Role": "frontend", "Codes": codes,
                          "Ingest": [{"Endpoints": [f"@tcp://127.0.0.1:{ports['ingest']}"], "Format": "framed", "Hwm": 1000}],
                          "Distribute": {"WorkEndpoint": f"@tcp://127.0.0.1:{ports['work']}", "ResultEndpoint": f"@tcp://127.0.0.1:{ports['results']}",
                                         "Window": args.window, "DeadlineMs": 10000, "Hwm": 256},
                          "Publish": {"Endpoint": f"@tcp://127.0.0.1:{ports['publish']}", "Socket": "push", "Output": "packed-info", "Hwm": 100000},
                          "Metrics": {"ConsoleIntervalSeconds": 0}, "Shutdown": {"DrainDeadlineMs": 5000}}}
    worker = {"Receiver": {"Role": "worker", "Codes": codes,
                           "Distribute": {"WorkEndpoint": f">tcp://127.0.0.1:{ports['work']}", "ResultEndpoint": f">tcp://127.0.0.1:{ports['results']}", "Hwm": 256},
                           "Batching": {"MaxBatch": 64, "QueueCapacity": 128, "Workers": 1}, "Metrics": {"ConsoleIntervalSeconds": 0}, "Shutdown": {"DrainDeadlineMs": 3000}}}
    paths = {}
    for name, config in (("frontend", front), ("worker", worker)):
        paths[name] = os.path.join(folder, name + ".json")
        with open(paths[name], "w") as f: json.dump(config, f)

    fe, fe_errors = start(args.cli, paths["frontend"])
    cores = os.cpu_count() or 1
    workers = [start(args.cli, paths["worker"], pin=i % cores) for i in range(args.workers)]

    point = json.loads(subprocess.run(["dotnet", args.cli, "eval", "--code", args.code, "--decoder", "hard", "--max-frames", "1", "--ebn0", "10", "--json"],
                                      capture_output=True, text=True, cwd=ROOT, check=True).stdout)
    n, k = point["n"], point["k"]
    sigma2 = 1 / (2 * (k / n) * 10 ** (args.ebn0 / 10))
    rng = np.random.default_rng(1)
    # All-zero codeword over AWGN (the decoders' work does not depend on the codeword).
    envelopes = [msgpack.packb({"code": args.code, "seq": i, "t_ns": 0,
                                "llr": (2 * (1 + np.sqrt(sigma2) * rng.standard_normal(n)) / sigma2).astype("<f4").tobytes()}) for i in range(512)]

    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL); pull.connect(f"tcp://127.0.0.1:{ports['publish']}")
    push = ctx.socket(zmq.PUSH); push.setsockopt(zmq.SNDHWM, 1000); push.connect(f"tcp://127.0.0.1:{ports['ingest']}")
    total = args.warmup + args.frames
    stamps = {}

    def receive():
        got = 0
        while got < total:
            if pull.poll(20000) == 0: break
            pull.recv(); got += 1
            if got == args.warmup: stamps["first"] = time.perf_counter()
            stamps["last"] = time.perf_counter()
        stamps["got"] = got

    reader = threading.Thread(target=receive); reader.start()
    for i in range(total):
        push.send(envelopes[i % len(envelopes)])
    reader.join()
    load = os.getloadavg()[0]
    for p, _ in workers: p.send_signal(signal.SIGTERM)
    fe.send_signal(signal.SIGTERM)
    fe.wait(60)
    for p, _ in workers: p.wait(60)
    final = next((m.group(0) for m in (re.search(r"final: .*", l) for l in fe_errors) if m), "no final line")
    seconds = stamps.get("last", float("nan")) - stamps.get("first", float("nan"))
    timed = stamps["got"] - args.warmup
    print(json.dumps({"workers": args.workers, "code": args.code, "decoder": args.decoder, "iterations": args.iterations, "ebn0_db": args.ebn0,
                      "frames_timed": timed, "outputs": stamps["got"], "seconds": round(seconds, 3),
                      "frames_per_s": round(timed / seconds, 1), "load_1min_after": load, "frontend": final}))


if __name__ == "__main__":
    main()
