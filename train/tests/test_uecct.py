"""UECCT checks without pytest: /usr/bin/python3 train/tests/test_uecct.py (a few seconds, 1 thread; pytest runs them too)."""
import functools
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import uecct  # noqa: E402
from channel import sample_batch  # noqa: E402
from codes import load_code  # noqa: E402

torch.set_num_threads(1)
TINY = dict(n_layers=2, d_model=16)
CODES = [load_code(name) for name in ("BCH_N31_K16", "LDPC_N49_K24", "POLAR_N64_K32")]


def tiny(sparse_values=False, seed=0):
    torch.manual_seed(seed)
    return uecct.build(uecct.Config(sparse_values=sparse_values, **TINY), CODES).eval()


def test_one_model_decodes_codes_of_different_lengths():
    model = tiny()
    assert (model.cfg.n_max, model.cfg.m_max) == (64, 32)  # the largest n and m of the mix
    for index, code in enumerate(CODES):
        logits = model(torch.randn(3, code.n) * 4, code_index=index)
        assert logits.shape == (3, code.n), (code.name, logits.shape)
        assert torch.isfinite(logits).all()


def test_extended_parity_check_and_padded_mask():
    H = torch.tensor([[1, 1, 1, 0, 1, 0, 0], [1, 0, 1, 1, 0, 1, 0], [0, 1, 1, 1, 0, 0, 1]]).float()  # eq. 16
    h_bar = uecct.extended_parity_check(H)
    assert h_bar.shape == (10, 3)  # (2n - k, n - k) of Hamming(7,4)
    assert torch.equal(h_bar[:7], H.t().bool()) and torch.equal(h_bar[7:], torch.eye(3, dtype=torch.bool))
    assert int(h_bar.sum()) == int(H.sum()) + 3  # density H_d (eq. 15) = (nnz(H) + m) / ((n + m) m)
    code = CODES[1]
    allowed, positions = uecct.padded_layout(torch.from_numpy(code.H).float(), 64, 32)
    assert allowed.shape == (96, 32) and positions.tolist() == list(range(49)) + list(range(64, 64 + 28))
    assert torch.equal(allowed[positions, :28], uecct.extended_parity_check(torch.from_numpy(code.H).float()))
    assert int(allowed.sum()) == int(code.H.sum()) + code.m  # nothing outside the code's own rows and slots
    assert allowed.float().mean() < 0.1  # LDPC: sparse


def test_output_does_not_depend_on_the_padded_slots():
    for sparse_values in (False, True):
        model = tiny(sparse_values)
        for index, code in enumerate(CODES[:2]):  # the polar code fills n_max; BCH and LDPC are padded
            features = model.standardise(torch.randn(4, code.n) * 4, index)  # (B, 96), zeros in the padding
            garbage = features.clone()
            garbage[:, code.n:64] = torch.randn(4, 64 - code.n) * 10
            garbage[:, 64 + code.m:] = torch.randn(4, 32 - code.m) * 10
            with torch.no_grad():
                clean, dirty = model.decode_padded(features, index), model.decode_padded(garbage, index)
            assert torch.allclose(clean[:, :code.n], dirty[:, :code.n], atol=1e-5), (code.name, sparse_values)


def test_export_scripts_and_matches_padded_eager():
    for sparse_values in (False, True):
        model = tiny(sparse_values, seed=3)
        for index, code in enumerate(CODES):
            scripted = torch.jit.script(model.export(index))
            for batch in (1, 5):
                llr = torch.randn(batch, code.n) * 4
                with torch.no_grad():
                    eager = torch.where(llr >= 0, model(llr, index), -model(llr, index))
                assert torch.allclose(scripted(llr), eager, atol=1e-5), (code.name, sparse_values)


def test_state_dict_holds_only_shared_weights():
    one, many = uecct.build(uecct.Config(n_max=64, m_max=32, **TINY), CODES[:1]), tiny()
    assert one.state_dict().keys() == many.state_dict().keys()  # a checkpoint loads with any code list that fits
    many.load_state_dict(one.state_dict())
    assert not any(k.startswith(("H_", "allowed_", "writes_", "real_", "positions_")) for k in many.state_dict())


@functools.lru_cache(maxsize=None)
def losses_on_fixed_batches():
    """Loss on fixed batches of each code before and after 30 Adam steps cycling over the codes."""
    model = tiny(seed=1).train()
    generator = torch.Generator().manual_seed(2)
    fixed = [sample_batch(64, code.n, code.rate, 3.0, 7.0, generator) for code in CODES]

    def fixed_losses():
        with torch.no_grad():
            return [model.loss(batch, index)[0].item() for index, batch in enumerate(fixed)]

    before = fixed_losses()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(30):
        index = step % len(CODES)
        batch = sample_batch(32, CODES[index].n, CODES[index].rate, 3.0, 7.0, generator)
        loss, logits = model.loss(batch, code_index=index)
        assert torch.isfinite(loss) and logits.shape == (32, CODES[index].n)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return before, fixed_losses()


def test_multi_code_training_reduces_loss_on_every_code():
    before, after = losses_on_fixed_batches()
    assert all(a < b for a, b in zip(after, before)), (before, after)


def test_attention_macs_unified_below_ecct():
    from ecct import code_aware_mask
    code = CODES[1]
    H = torch.from_numpy(code.H).float()
    macs = uecct.attention_macs(code.n, code.m, 32, 2, code_aware_mask(H), uecct.extended_parity_check(H), False)
    L = code.n + code.m
    assert macs["ecct_dense"] == 2 * 2 * L * L * 32 and macs["uecct_dense"] == 2 * 2 * L * code.m * 32
    assert macs["uecct_masked"] < macs["uecct_dense"] and macs["uecct_masked"] < macs["ecct_masked"]


if __name__ == "__main__":
    for name, test in list(globals().items()):
        if name.startswith("test_"):
            test()
            print(f"ok {name}")
