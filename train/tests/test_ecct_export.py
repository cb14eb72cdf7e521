"""ECCT, the training loop and the export, on a tiny budget (runs in CI: /usr/bin/python3 train/tests/test_ecct_export.py)."""
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import train  # noqa: E402
from channel import sample_batch, soft_output  # noqa: E402
from codes import load_code  # noqa: E402
from ecct import Config, build, code_aware_mask  # noqa: E402
from export import export, file_sha256, load_safetensors, reexport_onnx  # noqa: E402


def test_mask_follows_the_tanner_graph():
    H = torch.tensor([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=torch.float32)  # (m=2, n=4)
    allowed = code_aware_mask(H)
    assert allowed.shape == (6, 6) and bool(allowed.diagonal().all())
    assert bool(allowed[0, 4]) and not bool(allowed[0, 5])  # variable 0 is in check 0 only
    assert bool(allowed[0, 1]) and not bool(allowed[0, 2])  # variables 0 and 2 share no check
    assert not bool(allowed[4, 5])  # check-check pairs stay masked
    assert torch.equal(allowed, allowed.t())


def test_loss_decreases_and_soft_output_sign_convention():
    torch.manual_seed(0)
    code = load_code("BCH_N31_K16")
    model = build(Config(n_layers=1, d_model=16, n_heads=2), [code])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(1)
    losses = []
    for _ in range(40):
        loss, logits = model.loss(sample_batch(64, code.n, code.rate, 3.0, 7.0, generator))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) < sum(losses[:5]), losses
    llr = sample_batch(4, code.n, code.rate, 4.0, 4.0, generator).llr
    logits = model(llr)  # soft output keeps the LLR's sign where the net trusts the hard decision
    assert torch.equal(soft_output(llr, logits).sign(), llr.sign() * logits.sign())


def test_train_export_roundtrip_matches_golden():
    with tempfile.TemporaryDirectory() as folder:
        train.main(["train/config/ecct_ldpc49_smoke.py", "--max_steps=12", "--log_every=6", "--eval_frames=200",
                    "--eval_batch=100", "--threads=1", f"--out_dir={folder}/run", "--model.d_model=16",
                    "--model.n_heads=2"])
        out = export(f"{folder}/run", name="tiny", models_dir=folder)
        with open(os.path.join(out, "manifest.json")) as f:
            manifest = json.load(f)
        entry = manifest["codes"][0]
        assert manifest["architecture"] == "ecct" and entry["code"] == "LDPC_N49_K24" and entry["n"] == 49
        assert manifest["budget"]["steps"] == 12 and manifest["parameters"] > 0 and entry["flops_per_frame"] > 0
        scripted = torch.jit.load(os.path.join(out, entry["torchscript"]))
        with open(os.path.join(out, entry["golden"])) as f:
            golden = json.load(f)
        llr = torch.tensor(golden["input"]).view(golden["batch"], golden["n"])
        expected = torch.tensor(golden["output"]).view(golden["batch"], golden["n"])
        assert (scripted(llr) - expected).abs().max().item() < 1e-5
        assert (scripted(llr[:1]) - expected[:1]).abs().max().item() < 1e-5
        weights = load_safetensors(os.path.join(out, "model.safetensors"))
        state = torch.load(f"{folder}/run/ckpt.pt")["model"]
        assert set(weights) == set(state) and all(torch.equal(weights[k].to(state[k].dtype), state[k]) for k in state)
        check_onnx_and_hashes(out, manifest)
        # re-export from model.safetensors + manifest alone: same artifacts and hashes, the .onnx written again
        os.remove(os.path.join(out, entry["onnx"]))
        reexport_onnx(out)
        with open(os.path.join(out, "manifest.json")) as f:
            again = json.load(f)
        assert again["codes"][0]["onnx"] == entry["onnx"] and set(again["files"]) == set(manifest["files"])
        check_onnx_and_hashes(out, again)


def check_onnx_and_hashes(folder, manifest):
    """Every artifact the manifest names is hashed in "files"; the .onnx file is valid ONNX with a dynamic batch axis."""
    entry = manifest["codes"][0]
    for name in (manifest["weights"], entry["torchscript"], entry["onnx"], entry["golden"]):
        assert manifest["files"][name] == file_sha256(os.path.join(folder, name)), name
    try:
        import onnx
    except ImportError:
        return  # the receiver's golden tests run it in ONNX Runtime
    graph = onnx.load(os.path.join(folder, entry["onnx"])).graph
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim[1:]] == [entry["n"]]


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir))
    for name, test in list(globals().items()):
        if name.startswith("test_"):
            test()
            print(f"ok {name}")
