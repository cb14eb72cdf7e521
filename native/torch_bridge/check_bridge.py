#!/usr/bin/python3
"""Checks libtorch_bridge.so against PyTorch itself: scripts a small model, runs the same batch
through torch and through the bridge (ctypes), and compares; then checks the error paths.

    /usr/bin/python3 native/torch_bridge/check_bridge.py [artifacts/native/libtorch_bridge.so]
"""
import ctypes
import os
import sys
import tempfile

import torch

LIBRARY = sys.argv[1] if len(sys.argv) > 1 else "artifacts/native/libtorch_bridge.so"
IN_LEN, OUT_LEN, BATCH = 8, 4, 5


def load_bridge(path):
    lib = ctypes.CDLL(os.path.abspath(path))
    lib.tb_load.restype = ctypes.c_void_p
    lib.tb_load.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.tb_forward.restype = ctypes.c_int
    lib.tb_forward.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int64, ctypes.c_int64,
                               ctypes.POINTER(ctypes.c_float), ctypes.c_int64, ctypes.c_char_p, ctypes.c_int]
    lib.tb_free.argtypes = [ctypes.c_void_p]
    lib.tb_set_threads.argtypes = [ctypes.c_int]
    lib.tb_set_blas_threads.argtypes = [ctypes.c_int]
    return lib


def forward(lib, handle, x, out_len):
    out = torch.empty(x.shape[0], out_len, dtype=torch.float32)
    err = ctypes.create_string_buffer(512)
    rc = lib.tb_forward(handle, ctypes.cast(x.data_ptr(), ctypes.POINTER(ctypes.c_float)), x.shape[0], x.shape[1],
                        ctypes.cast(out.data_ptr(), ctypes.POINTER(ctypes.c_float)), out_len, err, len(err))
    return rc, out, err.value.decode()


def main():
    torch.manual_seed(1234)
    model = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(IN_LEN, 16), torch.nn.Tanh(),
                                                 torch.nn.Linear(16, OUT_LEN)).eval())
    lib = load_bridge(LIBRARY)
    lib.tb_set_threads(1)
    print("abi", lib.tb_abi_version(), "cuda_available", lib.tb_cuda_available(),
          "openblas", lib.tb_set_blas_threads(1))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mlp.pt")
        model.save(path)
        err = ctypes.create_string_buffer(512)
        handle = lib.tb_load(path.encode(), 0, err, len(err))
        assert handle, err.value
        x = torch.randn(BATCH, IN_LEN)
        with torch.no_grad():
            expected = model(x)
        rc, out, message = forward(lib, handle, x, OUT_LEN)
        assert rc == 0, message
        difference = (out - expected).abs().max().item()
        print(f"forward [{BATCH},{IN_LEN}] -> [{BATCH},{OUT_LEN}]: max |bridge - torch| = {difference:.3g}")
        assert difference <= 1e-6, difference

        rc, _, message = forward(lib, handle, x, OUT_LEN + 1)
        print("wrong out_len:", rc, message)
        assert rc == -1 and "does not match" in message
        rc, _, message = forward(lib, handle, torch.randn(BATCH, IN_LEN + 3), OUT_LEN)
        print("wrong in_len:", rc, message)
        assert rc == -2 and "shapes cannot be multiplied" in message
        lib.tb_free(handle)

        handle = lib.tb_load(os.path.join(folder, "missing.pt").encode(), 0, err, len(err))
        print("missing file:", handle, err.value.decode())
        assert not handle and err.value
        garbage = os.path.join(folder, "garbage.pt")
        with open(garbage, "wb") as f:
            f.write(b"not a torchscript archive")
        handle = lib.tb_load(garbage.encode(), 0, err, len(err))
        print("bad file:", handle, err.value.decode())
        assert not handle and err.value
    print("OK")


if __name__ == "__main__":
    main()
