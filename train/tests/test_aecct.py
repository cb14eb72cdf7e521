"""Checks of train/aecct.py, seeded, a few seconds on CPU:

  /usr/bin/python3 train/tests/test_aecct.py      (or pytest, where installed)
"""
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import aecct  # noqa: E402
from channel import sample_batch, soft_output  # noqa: E402
from codes import load_code  # noqa: E402
from export import write_onnx  # noqa: E402

HAMMING = torch.tensor([[1, 1, 0, 1, 1, 0, 0],  # Hamming(7,4): checks 0..2, variables 0..6
                        [1, 0, 1, 1, 0, 1, 0],
                        [0, 1, 1, 1, 0, 0, 1]], dtype=torch.float32)


def test_ternary_values_and_scale():
    torch.manual_seed(1)
    w = torch.randn(64, 32)
    for delta in (1.0, 1.7):
        t, scale = aecct.ternary(w, torch.tensor([delta]), 0.5, False)
        gamma = torch.quantile(w.abs().flatten(), 0.5)
        assert torch.allclose(scale, gamma * delta + aecct.EPS)
        assert set(t.unique().tolist()) <= {-1.0, 0.0, 1.0}
        assert torch.equal(t, torch.round(w / scale).clamp(-1, 1))
        assert torch.equal(t == 0, (w / scale).abs() <= 0.5)  # round half to even: +-0.5 -> 0
    # a larger delta zeroes more weights (the sparsity AAP learns)
    zeros = [int((aecct.ternary(w, torch.tensor([d]), 0.5, False)[0] == 0).sum()) for d in (0.5, 1.0, 2.0)]
    assert zeros[0] < zeros[1] < zeros[2]
    # STE: the training path has the same forward values and passes gradients to W and delta
    wp, delta = w.clone().requires_grad_(), torch.ones(1, requires_grad=True)
    t_train, s_train = aecct.ternary(wp, delta, 0.5, True)
    assert torch.allclose(t_train, aecct.ternary(w, torch.ones(1), 0.5, False)[0])
    (t_train * s_train).sum().backward()
    assert wp.grad.abs().sum() > 0 and delta.grad is not None


def test_activation_quantisation():
    torch.manual_seed(2)
    x = torch.randn(3, 5, 16) * torch.tensor([0.01, 1.0, 30.0]).view(3, 1, 1)
    q, scale = aecct.quantize_activations(x, 8, False)
    assert torch.equal(q, q.round()) and q.abs().max() <= 127
    assert torch.equal(q.abs().amax(-1), torch.full((3, 5), 127.0)), "absmax per token maps to +-127"
    assert (q / scale - x).abs().max() <= (0.5 / scale).max() + 1e-6
    # per token: a frame's quantisation does not depend on the others in the batch
    assert torch.equal(aecct.quantize_activations(x[1:2], 8, False)[0], q[1:2])


def test_pack_unpack_round_trip():
    torch.manual_seed(3)
    for shape in ((32, 32), (7, 5), (1, 1), (3, 6)):
        t = torch.randint(-1, 2, shape).float()
        packed = aecct.pack_ternary(t)
        assert packed.dtype == torch.uint8 and packed.numel() == -(-t.numel() // 4)
        assert torch.equal(aecct.unpack_ternary(packed, shape), t)
    assert aecct.pack_ternary(torch.tensor([[0.0, 1.0, -1.0, 1.0]])).item() == 0 | (1 << 2) | (2 << 4) | (1 << 6)


def test_hpsa_masks():
    vc, cv, vv, cc = aecct.hpsa_masks(HAMMING)
    H = HAMMING > 0
    assert torch.equal(vc, H.t()) and torch.equal(cv, H), "one-ring: a node's Tanner neighbours only"
    expected_vv = torch.zeros(7, 7, dtype=torch.bool)
    for row in H:
        idx = torch.nonzero(row).flatten()
        expected_vv[idx.unsqueeze(1), idx.unsqueeze(0)] = True  # variables of one check see each other (and self)
    assert torch.equal(vv, expected_vv)
    assert not vv[4, 5] and vv[0, 1] and vv[3, 6]  # 4 and 5 share no check; 3 and 6 share check 2
    assert torch.equal(cc, torch.ones(3, 3, dtype=torch.bool)), "every two Hamming checks share variable 3"
    H2 = torch.tensor([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=torch.float32)  # a chain
    _, _, _, cc2 = aecct.hpsa_masks(H2)
    assert torch.equal(cc2, torch.tensor([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=torch.bool))


def test_hpsa_heads_see_only_their_ring():
    """Gradient of a head's output at one node is nonzero only at the inputs its mask allows (and at the node
    itself, whose input makes the query)."""
    torch.manual_seed(4)
    cfg = aecct.Config(n=7, m=3, d_model=16, n_heads=4, one_ring_heads=2)
    attn = aecct.HPSA(cfg)
    for lin in (attn.q, attn.k, attn.v):  # head-local projections: head h reads and writes its own slice only
        lin.weight.data = torch.eye(16) + 0.1 * torch.randn(16, 16) * torch.block_diag(*[torch.ones(4, 4)] * 4)
    attn.o.weight.data, attn.o.bias.data = torch.eye(16), torch.zeros(16)
    vc, cv, vv, cc = aecct.hpsa_masks(HAMMING)
    x = torch.randn(1, 10, 16, requires_grad=True)
    out = attn(x, vc, cv, vv, cc)
    reach = lambda node, dims: torch.autograd.grad(out[0, node, dims].sum(), x, retain_graph=True)[0][0].abs().sum(-1) > 0  # noqa: E731
    one, two = slice(0, 8), slice(8, 16)
    self_only = lambda node, count: torch.arange(count) == node  # noqa: E731
    assert torch.equal(reach(0, one)[7:], vc[0]) and torch.equal(reach(0, one)[:7], self_only(0, 7)), "v <- its checks"
    assert torch.equal(reach(7, one)[:7], cv[0]) and torch.equal(reach(7, one)[7:], self_only(0, 3)), "c <- its variables"
    assert torch.equal(reach(4, two)[:7], vv[4]) and not reach(4, two)[7:].any(), "v <- variables sharing a check"
    assert torch.equal(reach(8, two)[7:], cc[1]) and not reach(8, two)[:7].any(), "c <- checks sharing a variable"


def test_spectral_pe():
    eigen = aecct.laplacian_eigen(HAMMING)
    assert eigen.shape == (10, 10, 2)
    assert torch.equal(eigen, aecct.laplacian_eigen(HAMMING)), "deterministic"
    lam, phi = eigen[0, :, 0], eigen[:, :, 1]  # (L,), (L nodes, L eigen)
    assert torch.equal(eigen[:, :, 0], lam.expand(10, -1)), "every node sees all eigenvalues"
    assert (lam[1:] >= lam[:-1]).all() and abs(lam[0]) < 1e-5
    A = torch.zeros(10, 10)
    A[:7, 7:], A[7:, :7] = HAMMING.t(), HAMMING
    lap = torch.diag(A.sum(1)) - A
    assert torch.allclose(lap @ phi, phi * lam, atol=1e-4)
    torch.manual_seed(5)
    spe = aecct.SpectralPE(aecct.Config(spe_dim=8, spe_heads=2), HAMMING)
    assert spe().shape == (10, 8)


def test_export_packed_equals_eager_quantised():
    torch.manual_seed(6)
    code = load_code("LDPC_N49_K24")
    model = aecct.build(aecct.Config(quantize=True), [code])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(7)
    for _ in range(5):  # move weights and deltas off their initial values
        loss, _ = model.loss(sample_batch(64, code.n, code.rate, 3.0, 7.0, generator))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    exported = model.export()
    state = exported.state_dict()
    packed = [k for k in state if k.endswith(".packed")]
    assert len(packed) == 6 * model.cfg.n_layers and all(state[k].dtype == torch.uint8 for k in packed)
    assert not any(k.endswith(".weight") and state[k].dim() == 2 and "blocks" in k for k in state), "no fp32 block weights"
    scripted = torch.jit.script(exported)
    llr = sample_batch(16, code.n, code.rate, 2.0, 6.0, generator).llr
    with torch.no_grad():
        eager = soft_output(llr, model(llr))
        assert torch.equal(exported(llr), eager)
        assert torch.allclose(scripted(llr), eager, atol=1e-6)
        assert torch.allclose(scripted(llr[:3]), eager[:3], atol=1e-6), "batch-independent"
    with tempfile.TemporaryDirectory() as folder:  # the packed weights export to ONNX (no bitwise ops on integers)
        path = os.path.join(folder, "aecct.onnx")
        write_onnx(scripted, llr, path)
        assert os.path.getsize(path) > 0


def test_phase2_starts_from_phase1():
    torch.manual_seed(8)
    code = load_code("LDPC_N49_K24")
    cfg = aecct.Config()
    phase1 = aecct.build(cfg, [code])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ckpt.pt")
        torch.save({"model": phase1.state_dict(), "model_cfg": vars(cfg), "step": 1}, path)
        phase2 = aecct.build(aecct.Config(quantize=True, init_from=path), [code])
    for key, value in phase1.state_dict().items():
        assert torch.equal(phase2.state_dict()[key], value), key
    deltas = [v for k, v in phase2.state_dict().items() if k.endswith(".delta")]
    assert len(deltas) == 12 and all(float(d) == 1.0 for d in deltas)
    assert np.isfinite(float(phase2.loss(sample_batch(8, code.n, code.rate, 3.0, 7.0))[0]))


if __name__ == "__main__":
    torch.set_num_threads(1)
    tests = [(name, fn) for name, fn in list(globals().items()) if name.startswith("test_") and callable(fn)]
    for name, fn in tests:
        fn()
        print(f"ok  {name}")
    print(f"{len(tests)} passed")
