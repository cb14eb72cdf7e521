"""Checks of train/eccfm.py, plain asserts, a few seconds on CPU:

  /usr/bin/python3 train/tests/test_eccfm.py
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import eccfm  # noqa: E402
from channel import canonical_llr, sample_batch  # noqa: E402
from codes import load_code  # noqa: E402


def nonzero_codeword(H: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random nonzero codeword (0/1) from the GF(2) null space of H."""
    A = H.copy() % 2
    m, n = A.shape
    pivots, row = [], 0
    for col in range(n):
        hits = np.nonzero(A[row:, col])[0]
        if len(hits) == 0:
            continue
        A[[row, row + hits[0]]] = A[[row + hits[0], row]]
        for other in np.nonzero(A[:, col])[0]:
            if other != row:
                A[other] ^= A[row]
        pivots.append(col)
        row += 1
        if row == m:
            break
    free = [c for c in range(n) if c not in pivots]
    word = np.zeros(n, dtype=np.uint8)
    word[free] = rng.integers(0, 2, len(free))
    if not word.any():
        word[free[0]] = 1
    for r, col in enumerate(pivots):  # reduced row echelon: pivot bit = sum of the row's free bits
        word[col] = (A[r, free] @ word[free]) % 2
    assert not ((H.astype(int) @ word) % 2).any()
    return word


def test_graph(code, model):
    H = torch.from_numpy(code.H) > 0
    assert model.variable_allowed.shape == (code.n, code.m) and model.check_allowed.shape == (code.m, code.n)
    assert torch.equal(model.variable_allowed, H.t()), "bits attend exactly to their checks (H^T)"
    assert torch.equal(model.check_allowed, H), "checks attend exactly to their bits (H)"
    rebuilt = torch.zeros(code.m, code.n + 1, dtype=torch.bool)
    rebuilt.scatter_(1, model.neighbours, True)
    assert torch.equal(rebuilt[:, :code.n], H), "check neighbour lists rebuild H"
    assert int((model.neighbours < code.n).sum()) == int(H.sum()), "each edge listed once"


def test_soft_syndrome(code, model):
    huge = torch.full((1, code.n), 80.0)  # a sure all-zero codeword: every check surely satisfied
    e = eccfm.soft_syndrome_error(huge, model.neighbours, model.min_probability)
    assert e.shape == (1, 1) and float(e) < 1e-6
    erased = torch.zeros(1, code.n)  # no information: Pr(S_j = 0) = 1/2 for every check
    assert abs(float(eccfm.soft_syndrome_error(erased, model.neighbours, model.min_probability)) - np.log(2)) < 1e-6
    one_flip = huge.clone()
    one_flip[0, 0] = -80.0  # bit 0 surely flipped: its checks surely violated, clamped to the floor
    expected = -np.log(model.min_probability) * code.H[:, 0].sum() / code.m
    assert abs(float(eccfm.soft_syndrome_error(one_flip, model.neighbours, model.min_probability)) - expected) < 1e-3


def test_shapes_and_training(code, model):
    torch.manual_seed(3)
    llr = sample_batch(7, code.n, code.rate, 4.0, 4.0).llr
    assert model(llr).shape == (7, code.n)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(5)
    losses = []
    for _ in range(30):
        batch = sample_batch(64, code.n, code.rate, 3.0, 7.0, generator)
        loss, logits = model.loss(batch)
        assert logits.shape == (64, code.n) and torch.isfinite(loss)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    first, last = np.mean(losses[:5]), np.mean(losses[-5:])
    assert last < 0.5 * first, f"loss did not fall: {first:.4f} -> {last:.4f}"


def test_export(code, model):
    model.eval()
    scripted = torch.jit.script(model.export())
    generator = torch.Generator().manual_seed(11)
    with torch.no_grad():
        for batch_size in (1, 5):
            llr = sample_batch(batch_size, code.n, code.rate, 2.0, 6.0, generator).llr
            eager = model.export()(llr)
            assert eager.shape == (batch_size, code.n)
            assert torch.allclose(scripted(llr), eager, atol=1e-5, rtol=0), "TorchScript differs from eager"
            assert torch.equal(eager, torch.where(llr >= 0, 1.0, -1.0) * model(llr)), "soft = sign(L) * logit"


def test_sign_convention(code, model):
    """Noise-free input: the soft output has the sign of the LLR, for the zero word and a nonzero codeword."""
    model.eval()
    sigma = torch.tensor([[0.5]])
    word = nonzero_codeword(code.H, np.random.default_rng(2))
    x = torch.from_numpy(1.0 - 2.0 * word.astype(np.float32)).unsqueeze(0)  # (1, n) bit 0 -> +1
    with torch.no_grad():
        for codeword in (torch.ones(1, code.n), x):
            llr = canonical_llr(codeword, sigma)
            soft = model.export()(llr)
            assert torch.equal(torch.sign(soft), torch.sign(llr)), "clean codeword must decode to itself"
        # the inputs are codeword-invariant, so the logits of both words agree
        assert torch.allclose(model(canonical_llr(x, sigma)), model(canonical_llr(torch.ones(1, code.n), sigma)))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(1)
    for name in ("LDPC_N49_K24", "POLAR_N64_K32"):
        code = load_code(name)
        model = eccfm.build(eccfm.Config(n_layers=1, d_model=16, n_heads=4), [code])
        for test in (test_graph, test_soft_syndrome, test_shapes_and_training, test_export, test_sign_convention):
            test(code, model)
            print(f"ok {test.__name__}[{name}]")


if __name__ == "__main__":
    main()
