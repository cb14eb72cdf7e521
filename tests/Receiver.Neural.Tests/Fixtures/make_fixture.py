"""Writes the test fixture model: a tiny ECCT for LDPC_N49_K24 in the models/<name>/ layout (see train/ and NEURAL.md).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/Receiver.Neural.Tests/Fixtures/make_fixture.py

Fixed seeds; about 400 short training steps (a few seconds on one thread) so the model trusts hard
decisions that satisfy H and fixes some single errors. It is a fixture for the C# tests, not a shipped
model: N=1, d=16, trained far too briefly to be good. Output: Fixtures/models/ecct-fixture-ldpc49/.
"""
import hashlib
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, os.pardir, os.pardir, os.pardir))
sys.path.insert(0, os.path.join(REPO, "train"))

import codes  # noqa: E402
import ecct  # noqa: E402

CODE = "LDPC_N49_K24"
NAME = "ecct-fixture-ldpc49"
SEED = 1234
STEPS = 400
BATCH = 64
GOLDEN_BATCH = 8


class SoftOutput(nn.Module):
    """llr (B, n) canonical LLRs -> (B, n) soft output sign(L) * logit, positive = bit 0."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, llr: torch.Tensor) -> torch.Tensor:
        logits = self.model(llr)  # (B, n)
        return torch.where(llr >= 0, 1.0, -1.0) * logits  # (B, n)


def llr_batch(generator, batch, n, rate, low_db, high_db):
    """All-zero codeword over BPSK/AWGN, Eb/N0 uniform per frame: canonical LLR 2y/sigma^2 (B, n)."""
    ebn0 = low_db + (high_db - low_db) * torch.rand(batch, 1, generator=generator)  # (B, 1)
    sigma = torch.sqrt(1.0 / (2.0 * rate * 10.0 ** (ebn0 / 10.0)))  # (B, 1)
    y = 1.0 + sigma * torch.randn(batch, n, generator=generator)  # (B, n)
    return 2.0 * y / sigma ** 2


def write_safetensors(path, tensors):
    """The safetensors layout: u64 header length, JSON header, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    code = codes.load_code(CODE)
    H = torch.tensor(code.H, dtype=torch.float32)
    config_class = getattr(ecct, "Config", None) or ecct.ECCTConfig
    cfg = config_class(n=code.n, m=code.m, n_layers=1, d_model=16, n_heads=2)
    model = ecct.ECCT(cfg, H)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(STEPS):
        llr = llr_batch(generator, BATCH, code.n, code.rate, 3.0, 8.0)
        logits = model(llr)  # (B, n) log-odds that the hard decision is right
        loss = F.binary_cross_entropy_with_logits(logits, (llr >= 0).float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    exported = SoftOutput(model)
    try:
        scripted = torch.jit.script(exported)
    except Exception:  # older ECCT code may not script; tracing works for any batch size here
        scripted = torch.jit.trace(exported, llr_batch(generator, 4, code.n, code.rate, 4.0, 4.0))

    out = os.path.join(HERE, "models", NAME)
    os.makedirs(out, exist_ok=True)
    scripted.save(os.path.join(out, f"{CODE}.pt"))
    write_safetensors(os.path.join(out, "model.safetensors"), model.state_dict())

    golden_input = llr_batch(generator, GOLDEN_BATCH, code.n, code.rate, 2.0, 6.0)
    with torch.no_grad():
        golden_output = exported(golden_input)
    with open(os.path.join(out, f"{CODE}.golden.json"), "w") as f:
        json.dump({"batch": GOLDEN_BATCH, "n": code.n,
                   "input": [round(v, 7) for v in golden_input.flatten().tolist()],
                   "output": [round(v, 7) for v in golden_output.flatten().tolist()]}, f)
    # the golden input is rounded to 7 decimals in the file: recompute the output from the stored values
    with open(os.path.join(out, f"{CODE}.golden.json")) as f:
        stored = json.load(f)
    with torch.no_grad():
        recomputed = exported(torch.tensor(stored["input"]).view(GOLDEN_BATCH, code.n))
    stored["output"] = recomputed.flatten().tolist()
    with open(os.path.join(out, f"{CODE}.golden.json"), "w") as f:
        json.dump(stored, f)

    with open(code.path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    parameters = sum(p.numel() for p in model.parameters())
    manifest = {
        "format": "receiver-model/1",
        "name": NAME,
        "architecture": "ecct",
        "description": "Test fixture: untuned ECCT N=1 d=16, 400 CPU steps; not a shipped model.",
        "weights": "model.safetensors",
        "config": {"n_layers": 1, "d_model": 16, "n_heads": 2},
        "train": {"steps": STEPS, "batch": BATCH, "ebn0_low": 3.0, "ebn0_high": 8.0, "lr": 3e-3, "seed": SEED},
        "budget": {"steps": STEPS, "device": "cpu", "threads": 1},
        "codes": [{"code": CODE, "sha256": sha, "n": code.n, "m": code.m, "k": code.k,
                   "torchscript": f"{CODE}.pt", "golden": f"{CODE}.golden.json"}],
        "io": {"input": "canonical LLR float32 [batch, n]",
               "output": "soft output float32 [batch, n], positive = bit 0"},
        "parameters": parameters,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{out}: {parameters} parameters, final loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
