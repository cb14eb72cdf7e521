"""MessagePack interop checks for the envelopes (tests/Receiver.Transport.Tests/EnvelopeTests.cs).

Modes (argv[1]):
  envelope-pack     write a framed envelope with an extra unknown key to stdout
  envelope-check    read a C#-written envelope from stdin and assert its fields
  envelope-bytes    pack the envelope described on stdin (code, seq, t_ns, count lines) to stdout
  metadata-check    read a C#-written metadata map from stdin; assert its fields and msgpack-python's bytes
Exit 3 when python3-msgpack is missing (install the Debian package python3-msgpack).
"""
import struct
import sys

try:
    import msgpack
except ImportError:
    sys.stderr.write("python3-msgpack is not installed for /usr/bin/python3 (apt-get install python3-msgpack)\n")
    sys.exit(3)

def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


def main():
    mode = sys.argv[1]
    out = sys.stdout.buffer
    if mode == "envelope-pack":
        llr = struct.pack("<4f", 1.0, -2.5, 0.0, 3.25)
        out.write(msgpack.packb({"code": "c4", "future": {"a": [1, 2]}, "seq": 2**40, "t_ns": 1700000000123456789, "llr": llr}))
    elif mode == "envelope-check":
        env = msgpack.unpackb(sys.stdin.buffer.read(), raw=False)
        if set(env) != {"code", "seq", "t_ns", "llr"}:
            fail(f"keys {sorted(env)}")
        if env["code"] != "nr:224,256" or env["seq"] != 123456789012 or env["t_ns"] != -42:
            fail(f"fields {env['code']!r} {env['seq']} {env['t_ns']}")
        if not isinstance(env["llr"], bytes) or list(struct.unpack("<3f", env["llr"])) != [0.5, -1.0, 8.0]:
            fail(f"llr {env['llr']!r}")
    elif mode == "envelope-bytes":
        code, seq, t_ns, count = sys.stdin.read().split("\n")[:4]
        llr = struct.pack(f"<{int(count)}f", *[(i % 7 - 3) * 0.75 for i in range(int(count))])
        out.write(msgpack.packb({"code": code, "seq": int(seq), "t_ns": int(t_ns), "llr": llr}))
    elif mode == "metadata-check":
        data = sys.stdin.buffer.read()
        meta = msgpack.unpackb(data, raw=False)
        want = {"seq": 77, "code": "ldpc121", "status": "Converged", "iterations": 5, "latency_us": 123.5, "stage": "main"}
        if meta != want:
            fail(f"metadata {meta!r}")
        if data != msgpack.packb(want):
            fail("metadata bytes differ from msgpack-python's")
    else:
        fail(f"unknown mode {mode}")


main()
