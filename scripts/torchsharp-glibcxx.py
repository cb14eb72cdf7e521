#!/usr/bin/env python3
"""Makes TorchSharp's libLibTorchSharp.so load on Debian 12, patching the given copies (build output, never the NuGet cache).

  scripts/torchsharp-glibcxx.py BUILD_OUTPUT/.../libLibTorchSharp.so [...]

TorchSharp 0.107.0 is built with GCC 13: its library asks libstdc++ for version GLIBCXX_3.4.32 for one symbol,
std::ios_base_library_init, which GCC 13's <iostream> references only so that the version is required (no code calls
it; the streams are initialised by libstdc++ and libtorch). Debian 12's libstdc++ (GCC 12) stops at GLIBCXX_3.4.30, so
the loader refuses the library. Marking that version need weak (VER_FLG_WEAK in .gnu.version_r) lets the loader
accept it; nothing else changes. Applied only where the system's libstdc++ lacks the version and only when that
symbol is the sole user of it; otherwise one line says why not, and the exit status is 2.
"""
import struct
import sys

LIBSTDCXX = ("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6")
ONLY_SYMBOL = b"_ZSt21ios_base_library_initv"
SHT_DYNSYM, SHT_VERNEED, SHT_VERSYM = 11, 0x6FFFFFFE, 0x6FFFFFFF
VER_FLG_WEAK = 2


def sections(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    return [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]


def cstring(data, offset):
    return bytes(data[offset:data.index(0, offset)])


def version_needs(data, secs):
    """[(version name, version index, offset of its vernaux flags)] of the libstdc++ entries."""
    needs = []
    for sec in secs:
        if sec[1] != SHT_VERNEED:
            continue
        strtab, at = secs[sec[6]][4], sec[4]
        for _ in range(sec[7]):
            _, count, file_name, aux, following = struct.unpack_from("<HHIII", data, at)
            entry = at + aux
            for _ in range(count):
                _, flags, index, name, next_aux = struct.unpack_from("<IHHII", data, entry)
                if cstring(data, strtab + file_name).startswith(b"libstdc++"):
                    needs.append((cstring(data, strtab + name), index, entry + 4, flags))
                entry += next_aux
            at += following
    return needs


def symbols_of_version(data, secs, index):
    dynsym = next(s for s in secs if s[1] == SHT_DYNSYM)
    versym = next(s for s in secs if s[1] == SHT_VERSYM)
    strtab = secs[dynsym[6]][4]
    names = []
    for i in range(dynsym[5] // 24):
        if struct.unpack_from("<H", data, versym[4] + 2 * i)[0] & 0x7FFF == index:
            names.append(cstring(data, strtab + struct.unpack_from("<I", data, dynsym[4] + 24 * i)[0]))
    return names


def patch(path, system):
    data = bytearray(open(path, "rb").read())
    secs = sections(data)
    missing = [n for n in version_needs(data, secs) if b"\0" + n[0] + b"\0" not in system]
    if not missing:
        return f"{path}: nothing to patch (the system libstdc++ has every version it needs)"
    if all(flags & VER_FLG_WEAK for *_, flags in missing):
        return f"{path}: already patched"
    for name, index, flags_at, flags in missing:
        users = symbols_of_version(data, secs, index)
        if users != [ONLY_SYMBOL] and not flags & VER_FLG_WEAK:
            raise SystemExit(f"torchsharp-glibcxx: cannot patch {path}: it needs {name.decode()} for "
                             f"{', '.join(u.decode() for u in users) or 'no symbol'}, not only {ONLY_SYMBOL.decode()}; "
                             "install a libstdc++ that has it (GCC 13 or newer)")
        struct.pack_into("<H", data, flags_at, flags | VER_FLG_WEAK)
    open(path, "wb").write(data)
    return f"{path}: {', '.join(n[0].decode() for n in missing)} marked weak (Debian 12's libstdc++ lacks it)"


def main(paths):
    system_path = next((p for p in LIBSTDCXX if open_ok(p)), None)
    if system_path is None:
        print("torchsharp-glibcxx: no libstdc++.so.6 found in " + ", ".join(LIBSTDCXX) + ": not patched")
        return 2
    system = open(system_path, "rb").read()
    for path in paths:
        try:
            print(patch(path, system))
        except SystemExit as error:
            print(error)
            return 2
    return 0


def open_ok(path):
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
