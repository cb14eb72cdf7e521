"""MessagePack interop checks for the C# codec (tests/Receiver.Transport.Tests/MessagePackInteropTests.cs).

Modes (argv[1]):
  pack              write the reference documents, packed by msgpack-python, to stdout
  check             read the C#-written documents from stdin; assert they unpack to the reference values
                    and are byte-identical to msgpack-python's packing (smallest encodings)
  envelope-pack     write a framed envelope with an extra unknown key to stdout
  envelope-check    read a C#-written envelope from stdin and assert its fields
  metadata-check    read a C#-written metadata map from stdin and assert its fields
Exit 3 when python3-msgpack is missing (install the Debian package python3-msgpack).
"""
import struct
import sys

try:
    import msgpack
except ImportError:
    sys.stderr.write("python3-msgpack is not installed for /usr/bin/python3 (apt-get install python3-msgpack)\n")
    sys.exit(3)

INTEGERS = [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1,
            -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63]
STRINGS = ["", "a" * 31, "b" * 32, "c" * 255, "d" * 256, "e" * 65535, "f" * 65536, "h\u00e9llo \u2713"]
BINARIES = [b"", b"x" * 255, b"y" * 256, b"z" * 65535, b"w" * 65536]
DOUBLES = [1.5, -0.1, 1e300, float("inf")]
SINGLES = [1.5, -0.25, 3.4028234663852886e38]


def reference():
    return {
        "nil": None,
        "bools": [True, False],
        "ints": INTEGERS,
        "doubles": DOUBLES,
        "strs": STRINGS,
        "bins": BINARIES,
        "arrays": [[], list(range(15)), list(range(16)), list(range(65536))],
        "maps": [{}, {str(i): i for i in range(15)}, {str(i): i for i in range(16)}],
        "nested": {"k": [1, {"x": None, "y": [b"\x00", -5]}]},
    }


def pack_reference():
    return msgpack.packb(reference(), use_bin_type=True) + msgpack.packb(SINGLES, use_single_float=True)


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


def main():
    mode = sys.argv[1]
    out = sys.stdout.buffer
    if mode == "pack":
        out.write(pack_reference())
    elif mode == "check":
        data = sys.stdin.buffer.read()
        expected = pack_reference()
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=0)
        unpacker.feed(data)
        docs = list(unpacker)
        if len(docs) != 2:
            fail(f"expected 2 documents, got {len(docs)}")
        if docs[0] != reference():
            for key, value in reference().items():
                if docs[0].get(key) != value:
                    fail(f"document 1 field {key!r} differs")
            fail("document 1 differs")
        if [struct.unpack('<f', struct.pack('<f', v))[0] for v in SINGLES] != docs[1]:
            fail(f"float32 document differs: {docs[1]}")
        if data != expected:
            first = next(i for i in range(min(len(data), len(expected))) if data[i] != expected[i]) if data[:len(expected)] != expected[:len(data)] else min(len(data), len(expected))
            fail(f"bytes differ from msgpack-python's at offset {first} (C# {len(data)} bytes, python {len(expected)})")
    elif mode == "envelope-pack":
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
    elif mode == "metadata-check":
        meta = msgpack.unpackb(sys.stdin.buffer.read(), raw=False)
        want = {"seq": 77, "code": "ldpc121", "status": "Converged", "iterations": 5, "latency_us": 123.5, "stage": "main"}
        if meta != want:
            fail(f"metadata {meta!r}")
    else:
        fail(f"unknown mode {mode}")


main()
