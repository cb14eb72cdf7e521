"""Checks of train/ddecc.py, plain asserts, seeded, a few seconds on CPU:

  /usr/bin/python3 train/tests/test_ddecc.py      (or: cd train && /usr/bin/python3 -m pytest -q tests/test_ddecc.py)
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import ddecc  # noqa: E402
from channel import canonical_llr, sample_batch  # noqa: E402
from codes import load_code  # noqa: E402
from test_eccfm import nonzero_codeword  # noqa: E402

CODE = "POLAR_N64_K32"


def small_model(code, **overrides):
    torch.manual_seed(1)
    model = ddecc.build(ddecc.Config(n_layers=1, d_model=16, n_heads=4, **overrides), [code])
    return model.eval()


def test_time_conditioning_shapes():
    code = load_code(CODE)
    model = small_model(code)
    assert model.denoiser.time_embedding.weight.shape == (code.m + 5, 16), "T = m + 5 time embeddings of size d"
    y = sample_batch(6, code.n, code.rate, 4.0, 4.0, torch.Generator().manual_seed(2)).llr
    with torch.no_grad():
        e = ddecc.syndrome_weight(y, model.H)
        assert e.shape == (6,) and e.dtype == torch.long and int(e.max()) <= code.m
        assert model.denoiser(y, e).shape == (6, code.n)
        other = model.denoiser(y, (e + 1) % code.m)
        assert not torch.allclose(model.denoiser(y, e), other), "the output depends on the syndrome weight"


def test_codeword_comes_back_after_zero_steps():
    code = load_code(CODE)
    model = small_model(code)
    word = nonzero_codeword(code.H, np.random.default_rng(3))
    x = torch.stack([torch.ones(code.n), torch.from_numpy(1.0 - 2.0 * word.astype(np.float32))])  # (2, n) bipolar
    clean = canonical_llr(x, torch.tensor([[0.7], [0.5]]))  # noiseless codewords
    noisy = sample_batch(4, code.n, code.rate, 2.0, 2.0, torch.Generator().manual_seed(4)).llr
    llr = torch.cat([clean, noisy])  # (6, n)
    with torch.no_grad():
        soft, steps = model.reverse(llr)
    assert torch.equal(steps[:2], torch.zeros(2, dtype=torch.long)), "a codeword takes no reverse step"
    assert torch.allclose(soft[:2], clean, rtol=1e-6), "and comes back unchanged"
    assert bool((steps[2:] >= 1).all()) and int(steps.max()) <= model.max_reverse_steps == code.m
    ended = ddecc.syndrome_weight(soft, model.H)
    assert bool(((ended == 0) | (steps == code.m)).all()), "a frame stops only as a codeword or at the step cap"


def test_line_search_never_worse_than_plain_step():
    code = load_code(CODE)
    searched, plain = small_model(code), small_model(code, line_search=False)
    y = sample_batch(32, code.n, code.rate, 3.0, 3.0, torch.Generator().manual_seed(5)).llr
    y = y / ddecc.signal_scale(y)
    e = ddecc.syndrome_weight(y, searched.H)
    keep = e > 0
    y, e = y[keep], e[keep]
    with torch.no_grad():
        after_search = ddecc.syndrome_weight(searched.step(y, e), searched.H)
        after_plain = ddecc.syndrome_weight(plain.step(y, e), plain.H)  # same weights (same seed): multiplier 1
    assert bool((after_search <= after_plain).all()), "the multiplier 1 is among the line search's candidates"


def test_signal_scale():
    code = load_code(CODE)
    generator = torch.Generator().manual_seed(6)
    for ebn0 in (3.0, 6.0):
        batch = sample_batch(1, 20000, code.rate, ebn0, ebn0, generator)  # one long frame: the estimate converges
        c = 2.0 / batch.sigma ** 2
        assert abs(float(ddecc.signal_scale(batch.llr) / c) - 1.0) < 0.03


def test_export_equals_eager():
    code = load_code(CODE)
    model = small_model(code)
    scripted = torch.jit.script(model.export())
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for batch_size in (1, 5):
            llr = sample_batch(batch_size, code.n, code.rate, 2.0, 6.0, generator).llr
            eager = model.export()(llr)
            assert eager.shape == (batch_size, code.n)
            assert torch.allclose(scripted(llr), eager, atol=1e-5, rtol=0), "TorchScript differs from eager"
            assert torch.equal(eager, model.reverse(llr)[0]), "export output = the reverse process's soft output"


def test_training_loss_falls():
    code = load_code(CODE)
    model = small_model(code).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(8)
    losses = []
    for _ in range(25):
        batch = sample_batch(64, code.n, code.rate, 3.0, 7.0, generator)
        loss, logits = model.loss(batch)
        assert logits.shape == (64, code.n) and torch.isfinite(loss)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5]), f"loss did not fall: {losses[0]:.3f} -> {losses[-1]:.3f}"


def main():
    torch.set_num_threads(1)
    for test in (test_time_conditioning_shapes, test_codeword_comes_back_after_zero_steps,
                 test_line_search_never_worse_than_plain_step, test_signal_scale, test_export_equals_eager,
                 test_training_loss_falls):
        test()
        print(f"ok {test.__name__}")


if __name__ == "__main__":
    main()
