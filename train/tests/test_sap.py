"""SAP checks (pruning, signature, library, LoRA) without pytest: /usr/bin/python3 train/tests/test_sap.py."""
import copy
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import fecct  # noqa: E402
import lora  # noqa: E402
import prune  # noqa: E402
import spectrum  # noqa: E402
from channel import KNOWN_BIT_LLR, multiplicative_noise_target, sample_code_batch  # noqa: E402
from codes import Code, load_code  # noqa: E402
from export import flops_per_frame  # noqa: E402

TINY = fecct.Config(n_layers=2, d_model=16, n_heads=4, psi_hidden=8)
CODE = load_code("LDPC_N49_K24")


def tiny_model(seed=0):
    torch.manual_seed(seed)
    model = fecct.build(TINY, [CODE]).eval()
    for p in model.parameters():  # psi's last layer starts at zero: give every weight a value
        torch.nn.init.normal_(p, std=0.3)
    return model


def some_mask(model, seed=1):
    rng = np.random.default_rng(seed)
    heads = rng.random((2, TINY.n_heads)) < 0.6
    ffn = rng.random((2, model.blocks[0].ffn.fc.out_features)) < 0.5
    heads[0, :] = False  # a layer may lose every head
    return heads, ffn


def test_signature_is_the_bipartite_spectrum():
    H = load_code("BCH_N31_K16").H
    m, n = H.shape
    A = np.zeros((n + m, n + m))
    A[:n, n:], A[n:, :n] = H.T, H
    eig = np.linalg.eigvalsh(A)
    order = sorted(eig, key=lambda v: (-round(abs(v), 9), -v))
    assert np.allclose(spectrum.signature(H), order[:20], atol=1e-9)
    assert np.allclose(spectrum.signature(np.array([[1, 1]]), k=4), [np.sqrt(2), -np.sqrt(2), 0, 0])


def test_signature_ignores_node_order_and_kappa_is_one_for_the_same_graph():
    H = CODE.H
    rng = np.random.default_rng(3)
    shuffled = H[rng.permutation(H.shape[0])][:, rng.permutation(H.shape[1])]
    assert spectrum.kappa(spectrum.signature(H), spectrum.signature(shuffled)) > 1 - 1e-9
    assert spectrum.kappa(spectrum.signature(H), spectrum.signature(load_code("POLAR_N64_K32").H)) < 0.5


def test_pruned_model_equals_the_masked_model():
    model = tiny_model()
    heads, ffn = some_mask(model)
    llr = torch.randn(5, CODE.n) * 3
    masks = prune._UnitMasks(model, 5)
    with torch.no_grad():
        masks.heads.copy_(torch.from_numpy(heads).float().expand(5, -1, -1))
        masks.ffn.copy_(torch.from_numpy(ffn).float().expand(5, -1, -1))
        expected = model(llr, 0)
    masks.remove()
    pruned = prune.prune(copy.deepcopy(model), heads, ffn)
    assert prune.kept_counts(pruned) == (heads.sum(1).tolist(), ffn.sum(1).tolist())
    with torch.no_grad():
        assert torch.allclose(pruned(llr, 0), expected, atol=1e-5)
    assert sum(p.numel() for p in pruned.parameters()) < sum(p.numel() for p in model.parameters())


def test_flops_fall_by_the_counted_unit_flops():
    model = tiny_model()
    heads, ffn = some_mask(model)
    full = flops_per_frame(model.export(0), CODE.n)
    pruned = flops_per_frame(prune.prune(copy.deepcopy(model), heads, ffn).export(0), CODE.n)
    head, channel = prune.unit_flops(model, CODE.n, CODE.m)
    assert abs(full - pruned - ((~heads).sum() * head + (~ffn).sum() * channel)) <= 16  # scalar ops aside


def test_mask_search_keeps_the_budget_and_the_most_important_units():
    heads_importance = np.array([[5.0, 1.0], [4.0, 0.5]])
    ffn_importance = np.array([[3.0, 0.1, 2.0], [0.2, 1.5, 0.3]])
    heads, ffn = prune.search_mask(heads_importance, ffn_importance, head_flops=10, ffn_flops=4, budget=30)
    assert heads.sum() * 10 + ffn.sum() * 4 <= 30
    assert heads[0, 0] and heads[1, 0] and not heads[0, 1]  # 2 heads (20) + 2 channels (8) beats 1 head + 5 channels
    assert ffn[0, 0] and ffn[0, 2] and ffn.sum() == 2


def test_fisher_importance_and_derived_mask_meet_the_flops_budget():
    model = tiny_model()
    heads_importance, ffn_importance = prune.fisher_importance(model, 0, CODE, frames=64, batch=32)
    assert heads_importance.shape == (2, TINY.n_heads) and (heads_importance >= 0).all() and heads_importance.sum() > 0
    total = flops_per_frame(model.export(0), CODE.n)
    heads, ffn = prune.derive_mask(model, 0, CODE, total, reduction=0.4, frames=64)
    pruned = prune.prune(copy.deepcopy(model), heads, ffn)
    assert 0.55 * total <= flops_per_frame(pruned.export(0), CODE.n) <= 0.6 * total


def test_lora_starts_as_the_base_merges_exactly_and_scripts():
    model = prune.prune(tiny_model(), *some_mask(tiny_model()))
    llr = torch.randn(4, CODE.n) * 3
    with torch.no_grad():
        before = model(llr, 0)
    lora.add_adapters(model, rank=4, alpha=8)
    assert all(("lora_" in name) == p.requires_grad for name, p in model.named_parameters())
    with torch.no_grad():
        assert torch.allclose(model(llr, 0), before, atol=1e-6)  # B = 0
        for name, p in model.named_parameters():
            if "lora_b" in name:
                p.normal_(std=0.1)
        adapted = model(llr, 0)
        merged = lora.merge(copy.deepcopy(model))
        assert torch.allclose(merged(llr, 0), adapted, atol=1e-5)
    assert set(lora.adapter_state(model)) == {n for n, _ in model.named_parameters() if "lora_" in n}
    assert lora.adapter_parameters(model) == sum(4 * (l.base.in_features + l.base.out_features)
                                                for b in model.blocks for l in (b.attn.q, b.attn.k, b.attn.v, b.attn.o))
    scripted = torch.jit.script(model.export(0))
    with torch.no_grad():
        assert torch.allclose(scripted(llr), model.export(0)(llr), atol=1e-5)


def test_library_ranks_by_distance_and_replaces_entries():
    with tempfile.TemporaryDirectory() as folder:
        library = spectrum.Library.create(os.path.join(folder, "masks.json"), "t", 2, 4, 64, 0.4)
        for name in ("BCH_N31_K16", "LDPC_N121_K60", "POLAR_N64_K48"):
            library.put({"code": name, "signature": spectrum.signature(load_code(name).H).tolist()})
        library.put({"code": "BCH_N31_K16", "signature": spectrum.signature(load_code("BCH_N31_K16").H).tolist()})
        library.save()
        loaded = spectrum.Library.load(library.path)
        assert len(loaded.entries) == 3
        ranked = loaded.ranked(spectrum.signature(load_code("LDPC_N121_K70").H))
        assert ranked[0][0]["code"] == "LDPC_N121_K60" and ranked[0][2] >= 0.5
        assert [row[1] for row in ranked] == sorted(row[1] for row in ranked)


def test_punctured_code_batches_follow_the_receivers_graph_mapping():
    H = CODE.H
    code = Code(name="punctured", path="", H=H, k=24, transmitted=np.arange(4, 47), known_zero=np.array([0, 1]))
    batch = sample_code_batch(code, 6, 3.0, 3.0, torch.Generator().manual_seed(0))
    assert batch.llr.shape == (6, CODE.n)
    assert (batch.llr[:, [2, 3, 47, 48]] == 0).all()
    assert (batch.llr[:, [0, 1]] == KNOWN_BIT_LLR).all()
    assert abs(code.rate - 24 / 43) < 1e-12
    bits = (batch.x < 0).float()
    assert (torch.remainder(bits @ torch.from_numpy(H).float().t(), 2.0) == 0).all()  # random codewords of H
    assert (bits[:, [0, 1]] == 0).all() and bits.sum() > 0  # fillers stay 0, the rest varies
    target = multiplicative_noise_target(batch.llr, batch.x)
    assert (target[:, [2, 3]] == (batch.x[:, [2, 3]] > 0).float()).all()  # a punctured bit is right when it is 0


if __name__ == "__main__":
    torch.set_num_threads(1)
    for name, test in list(globals().items()):
        if name.startswith("test_"):
            test()
            print(f"ok {name}")
