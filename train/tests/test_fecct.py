"""FECCT checks without pytest: /usr/bin/python3 train/tests/test_fecct.py (a few seconds, 1 thread)."""
import functools
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import fecct  # noqa: E402
from channel import sample_batch  # noqa: E402
from codes import load_code, rref  # noqa: E402

TINY = fecct.Config(n_layers=2, d_model=16, n_heads=4, psi_hidden=8)
CODES = [load_code(name) for name in ("BCH_N31_K16", "LDPC_N49_K24", "POLAR_N64_K32")]


def test_one_model_decodes_codes_of_different_sizes():
    model = fecct.build(TINY, CODES)
    for index, code in enumerate(CODES):
        logits = model(torch.randn(3, code.n) * 4, code_index=index)
        assert logits.shape == (3, code.n), (code.name, logits.shape)
        assert torch.isfinite(logits).all()


def test_parameter_count_does_not_depend_on_the_codes():
    torch.manual_seed(0)
    counts = {fecct.build(TINY, codes).num_params() for codes in (CODES[:1], CODES[1:], CODES)}
    assert len(counts) == 1, counts
    one, many = fecct.build(TINY, CODES[:1]), fecct.build(TINY, CODES)
    assert one.state_dict().keys() == many.state_dict().keys()  # a checkpoint loads with any code list
    many.load_state_dict(one.state_dict())


def test_tanner_distance():
    code = CODES[1]
    distance = fecct.tanner_distance(code.H, max_distance=8)
    n, m = code.n, code.m
    assert distance.shape == (n + m, n + m)
    assert (distance.diagonal() == 0).all()
    H = torch.from_numpy(code.H).bool()
    assert ((distance[:n, n:] == 1) == H.t()).all()  # variable-check edges
    shares_check = (H.t().float() @ H.float() > 0) & ~torch.eye(n, dtype=torch.bool)
    assert ((distance[:n, :n] == 2) == shares_check).all()
    assert (distance == distance.t()).all()


@functools.lru_cache(maxsize=None)
def briefly_trained():
    """(model, losses): the tiny model after 30 Adam steps cycling over CODES (shared by two tests)."""
    torch.manual_seed(1)
    model = fecct.build(TINY, CODES)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(2)
    losses = []
    for step in range(30):
        index = step % len(CODES)
        code = CODES[index]
        batch = sample_batch(32, code.n, code.rate, 2.0, 7.0, generator)
        loss, logits = model.loss(batch, code_index=index)
        assert torch.isfinite(loss) and logits.shape == (32, code.n)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model.eval(), losses


def test_loss_is_finite_and_decreases():
    _, losses = briefly_trained()
    first, last = sum(losses[:6]) / 6, sum(losses[-6:]) / 6
    assert last < first, (first, last)


def test_export_scripts_and_matches_eager():
    torch.manual_seed(3)
    model = fecct.build(TINY, CODES).eval()
    for index, code in enumerate(CODES):
        scripted = torch.jit.script(model.export(index))
        for batch in (1, 5):
            llr = torch.randn(batch, code.n) * 5
            with torch.no_grad():
                eager = torch.where(llr >= 0, 1.0, -1.0) * model(llr, code_index=index)
                out = scripted(llr)
            assert out.shape == (batch, code.n)
            assert (out - eager).abs().max().item() <= 1e-5, (code.name, batch)


def test_export_survives_save_and_load(tmp="/tmp/test_fecct_export.pt"):
    model = fecct.build(TINY, CODES).eval()
    torch.jit.script(model.export(2)).save(tmp)
    loaded = torch.jit.load(tmp)
    llr = torch.randn(4, CODES[2].n) * 5
    with torch.no_grad():
        assert torch.allclose(loaded(llr), model.export(2)(llr), atol=1e-6)
    os.remove(tmp)


def random_codeword(H: np.ndarray, rng) -> np.ndarray:
    """A random codeword of H (0/1): free bits random, pivot bits solved by GF(2) elimination."""
    A, pivots = rref(H)
    x = rng.integers(0, 2, A.shape[1]).astype(np.uint8)
    for r, col in enumerate(pivots):
        x[col] = (A[r] @ x - x[col]) % 2  # row r of the RREF: x[col] + sum of its free bits = 0
    return x


def test_soft_output_has_the_sign_of_the_llr_without_noise():
    """Noise-free codewords (all checks satisfied): a briefly trained model keeps every hard decision,
    so the soft output is positive where the bit is 0 and negative where it is 1."""
    model, _ = briefly_trained()
    rng = np.random.default_rng(6)
    for index, code in enumerate(CODES):
        bits = np.stack([np.zeros(code.n, dtype=np.uint8), random_codeword(code.H, rng)])  # (2, n)
        assert (code.H.astype(int) @ bits.T % 2 == 0).all() and bits[1].any()
        llr = 8.0 * (1.0 - 2.0 * torch.from_numpy(bits).float())  # (2, n) BPSK 0 -> +1, L = 2y/sigma^2
        with torch.no_grad():
            soft = model.export(index)(llr)
        assert (torch.sign(soft) == torch.sign(llr)).all(), (code.name, soft)


if __name__ == "__main__":
    torch.set_num_threads(1)
    tests = [(name, fn) for name, fn in list(globals().items()) if name.startswith("test_") and callable(fn)]
    for name, fn in tests:
        fn()
        print(f"ok  {name}")
    print(f"{len(tests)} passed")
