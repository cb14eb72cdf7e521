"""Export a trained checkpoint as a receiver model folder.

  /usr/bin/python3 train/export.py CKPT_OR_OUT_DIR [--name=NAME] [--models_dir=models]

Writes models/<name>/:
  manifest.json       architecture, configs, budget, per-code entries (code file sha256, n, m, k, files)
  model.safetensors   the weights (safetensors layout, written here: torch 1.13 has no safetensors package)
  <CODE>.pt           TorchScript per code: canonical LLR (B, n) float32 -> soft output (B, n), positive = bit 0
  <CODE>.golden.json  fixed inputs and the eager model's outputs, for the receiver's golden test
The manifest's "measured" table is filled by `./receiver eval` runs (see the model card), not here.
"""
import hashlib
import json
import os
import shutil
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from channel import canonical_llr, sigma_for  # noqa: E402
from train import budget_totals, load_checkpoint  # noqa: E402

FORMAT = "receiver-model/1"
GOLDEN_BATCH = 8
_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
           torch.int64: "I64", torch.int32: "I32", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def save_safetensors(tensors: dict, path: str, metadata: dict = None):
    """safetensors layout: u64 LE header length, JSON header (dtype, shape, data_offsets), raw LE data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        data = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path: str) -> dict:
    """Reads what save_safetensors writes (float/int dtypes) back into CPU tensors."""
    import numpy as np
    kinds = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
             "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=kinds[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def file_sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def golden_inputs(code, generator) -> torch.Tensor:
    """LLRs of all-zero frames at 2..6 dB Eb/N0 (B, n)."""
    sigma = sigma_for(torch.linspace(2.0, 6.0, GOLDEN_BATCH).unsqueeze(1), code.rate)  # (B, 1)
    y = 1.0 + sigma * torch.randn(GOLDEN_BATCH, code.n, generator=generator)  # (B, n)
    return canonical_llr(y, sigma)  # (B, n)


def to_torchscript(module: torch.nn.Module, example: torch.Tensor) -> torch.jit.ScriptModule:
    """Scripts the export module, or traces it when it is not scriptable; either way checked on other batch sizes."""
    module.eval()
    try:
        scripted = torch.jit.script(module)
    except Exception as error:  # noqa: BLE001 (tracing is the documented fallback)
        print(f"  scripting failed ({str(error).splitlines()[0]}); tracing instead")
        scripted = torch.jit.trace(module, example[:3], check_trace=False)
    with torch.no_grad():
        for rows in (1, example.shape[0]):
            expected, got = module(example[:rows]), scripted(example[:rows])
            if not torch.allclose(expected, got, atol=1e-5, rtol=1e-5):
                raise SystemExit(f"TorchScript differs from eager at batch {rows}: max |diff| "
                                 f"{(expected - got).abs().max().item():.3e}")
    return scripted


def flops_per_frame(module: torch.nn.Module, n: int) -> int:
    """Multiply-adds x 2 counted by torch's profiler for one frame (dense: masked attention counts in full)."""
    with torch.no_grad(), torch.profiler.profile(with_flops=True) as profile:
        module(torch.ones(1, n))
    return int(sum(event.flops for event in profile.key_averages() if event.flops))


def write_code_files(module: torch.nn.Module, code, folder: str, stem: str, generator) -> dict:
    """Writes a code's TorchScript (<stem>.pt) and golden file (<stem>.golden.json) into folder and returns the
    code's manifest entry (code, sha256 of its file, n, m, k, files, FLOPs per frame)."""
    example = golden_inputs(code, generator)
    scripted = to_torchscript(module, example)
    script_file, golden_file = f"{stem}.pt", f"{stem}.golden.json"
    scripted.save(os.path.join(folder, script_file))
    with torch.no_grad():
        output = module(example)
    with open(os.path.join(folder, golden_file), "w") as f:
        json.dump({"batch": GOLDEN_BATCH, "n": code.n, "input": example.flatten().tolist(),
                   "output": output.flatten().tolist()}, f)
    return {"code": code.name, "sha256": file_sha256(code.path), "n": code.n, "m": code.m, "k": code.k,
            "torchscript": script_file, "golden": golden_file, "flops_per_frame": flops_per_frame(module, code.n)}


def budget_of(ckpt, cfg) -> dict:
    """The manifest's budget: totals over every run that made the weights (forks and resumed runs included), the
    device of the last, and the segments themselves (device, steps, frames, wall and CPU seconds, date)."""
    segments = ckpt.get("budget") or [{"device": ckpt.get("device", "unknown"), "steps": ckpt["step"],
                                       "frames": ckpt["step"] * cfg.batch_size, "wall_s": ckpt.get("wall_s", 0.0)}]
    totals = budget_totals(segments)
    return {"steps": totals["steps"], "wall_s": round(totals["wall_s"], 1), "cpu_s": round(totals["cpu_s"], 1),
            "device": ckpt.get("device", "unknown"), "devices": totals["devices"], "threads": cfg.threads,
            "samples": totals["frames"] or totals["steps"] * cfg.batch_size, "segments": segments}


def export(ckpt_path: str, name: str = "", models_dir: str = "models", description: str = "") -> str:
    if os.path.isdir(ckpt_path):
        ckpt_path = os.path.join(ckpt_path, "ckpt.pt")
    model, model_cfg, cfg, codes, ckpt = load_checkpoint(ckpt_path)
    model.eval()
    name = name or cfg.name or os.path.basename(os.path.normpath(cfg.out_dir))
    folder = os.path.join(models_dir, name)
    os.makedirs(folder, exist_ok=True)
    save_safetensors(model.state_dict(), os.path.join(folder, "model.safetensors"),
                     {"format": FORMAT, "architecture": cfg.arch})
    generator = torch.Generator().manual_seed(20261123)
    entries = []
    for index, code in enumerate(codes):
        entries.append(write_code_files(model.export(index), code, folder, code.name, generator))
        print(f"  {code.name}: {entries[-1]['torchscript']}, {entries[-1]['golden']}, "
              f"{entries[-1]['flops_per_frame']} FLOPs/frame")
    manifest_path = os.path.join(folder, "manifest.json")
    previous = {}
    if os.path.exists(manifest_path):  # keep measured tables across re-exports
        with open(manifest_path) as f:
            previous = json.load(f)
    manifest = {
        "format": FORMAT, "name": name, "architecture": cfg.arch,
        "description": description or previous.get("description", ""),
        "weights": "model.safetensors",
        "config": {k: v for k, v in vars(model_cfg).items()},
        "train": {k: list(v) if isinstance(v, tuple) else v for k, v in vars(cfg).items()},
        "budget": budget_of(ckpt, cfg),
        "parameters": sum(p.numel() for p in model.parameters()),
        "flops_per_frame": max(entry["flops_per_frame"] for entry in entries),
        "codes": entries,
        "io": {"input": "canonical LLR float32 [batch, n], positive = bit 0",
               "output": "soft output float32 [batch, n], positive = bit 0"},
        "measured": previous.get("measured", {}),
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    curve = os.path.join(os.path.dirname(ckpt_path), "curve.jsonl")
    if os.path.exists(curve):  # the learning curve of the model card
        shutil.copyfile(curve, os.path.join(folder, "curve.jsonl"))
    print(f"wrote {folder}: {manifest['parameters']} parameters, {len(entries)} code(s)")
    return folder


def main(argv):
    options = {"name": "", "models_dir": "models", "description": ""}
    positional = []
    for arg in argv:
        if arg in ("-h", "--help"):
            print(__doc__)
            return
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            if key not in options:
                raise SystemExit(f"unknown option --{key}: known are {', '.join('--' + k for k in options)}")
            options[key] = value
        else:
            positional.append(arg)
    if len(positional) != 1:
        raise SystemExit("usage: export.py CKPT_OR_OUT_DIR [--name=NAME] [--models_dir=models] [--description=TEXT]")
    export(positional[0], **options)


if __name__ == "__main__":
    main(sys.argv[1:])
