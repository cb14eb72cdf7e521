"""Hybrid error-floor training (train/hybrid.py): BCH t, sampling beyond t, the STE step and loss (IV)."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from channel import Batch, hard_bits  # noqa: E402
from codes import load_code  # noqa: E402
from hybrid import bch_correction_capability, hybrid_loss, sample_beyond_t, step_ste  # noqa: E402


def test_correction_capability():
    # the paper's t_c: (31,16) 3, (63,36) 5, (63,45) 3, (63,51) 2
    for name, t in (("BCH_N31_K16", 3), ("BCH_N63_K36", 5), ("BCH_N63_K45", 3), ("BCH_N63_K51", 2)):
        assert bch_correction_capability(load_code(name)) == t, name


def test_samples_are_beyond_t():
    code = load_code("BCH_N63_K36")
    batch = sample_beyond_t(code, 50, 4.0, 7.0, 5)
    assert batch.llr.shape == (50, 63)
    assert bool(((hard_bits(batch.llr) != (batch.x < 0).float()).sum(dim=1) > 5).all())


def test_step_is_a_step_forward_and_a_sigmoid_backward():
    alpha = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    u = step_ste(alpha)
    assert u.tolist() == [0.0, 0.0, 1.0]
    u.sum().backward()
    s = torch.sigmoid(alpha.detach())
    assert torch.allclose(alpha.grad, s * (1 - s))


def test_post_loss_ignores_frames_within_t():
    # all-zero codeword, every LLR positive: target 1 everywhere; confident logits except on `wrong` bits
    n, t = 31, 3
    llr = torch.full((2, n), 2.0)
    batch = Batch(x=torch.ones(2, n), z=torch.zeros(2, n), sigma=torch.ones(2, 1), ebn0=torch.zeros(2, 1), rate=0.5, llr=llr)
    logits = torch.full((2, n), 8.0)
    logits[0, :2] = -8.0   # 2 wrong bits: the post-decoder corrects them, no loss
    logits[1, :6] = -8.0   # 6 wrong bits: beyond t, BCE counts
    assert hybrid_loss(logits[:1], Batch(**{**batch.__dict__, "llr": llr[:1], "x": batch.x[:1]}), t, post=True).item() == 0.0
    assert hybrid_loss(logits[1:], Batch(**{**batch.__dict__, "llr": llr[1:], "x": batch.x[1:]}), t, post=True).item() > 1.0
    assert hybrid_loss(logits[:1], Batch(**{**batch.__dict__, "llr": llr[:1], "x": batch.x[:1]}), t, post=False).item() > 0.1


def main():
    torch.manual_seed(1)
    for test in (test_correction_capability, test_samples_are_beyond_t, test_step_is_a_step_forward_and_a_sigmoid_backward,
                 test_post_loss_ignores_frames_within_t):
        test()
        print(f"ok {test.__name__}")


if __name__ == "__main__":
    main()
