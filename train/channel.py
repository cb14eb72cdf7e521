"""BPSK over AWGN, as ../../shared/DESIGN.md fixes it, and the ECCT input/target transforms.

Bit 0 -> +1. sigma^2 = 1 / (2 R 10^(EbN0/10)) with R = k/n from the code's name.
Canonical LLR = 2y/sigma^2, positive means bit 0.
Training uses the all-zero codeword (x = +1 everywhere), with Eb/N0 drawn per sample.
"""
import torch


def sigma_for(ebn0_db: torch.Tensor, rate: float) -> torch.Tensor:
    """Noise standard deviation for Eb/N0 in dB (any shape)."""
    return (1.0 / (2.0 * rate * 10.0 ** (ebn0_db / 10.0))).sqrt()


def all_zero_batch(batch: int, n: int, rate: float, ebn0_low: float, ebn0_high: float,
                   generator: torch.Generator = None):
    """All-zero codewords through AWGN, Eb/N0 uniform in [low, high] dB per sample.

    Returns y (B, n) received values and sigma (B, 1).
    """
    ebn0 = ebn0_low + (ebn0_high - ebn0_low) * torch.rand(batch, 1, generator=generator)  # (B, 1)
    sigma = sigma_for(ebn0, rate)  # (B, 1)
    z = torch.randn(batch, n, generator=generator)  # (B, n)
    y = 1.0 + sigma * z  # (B, n) transmitted +1 for bit 0
    return y, sigma


def canonical_llr(y: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """L = ln P(b=0)/P(b=1) = 2y/sigma^2 (positive = bit 0)."""
    return 2.0 * y / sigma ** 2  # (B, n)


def hard_bits(y: torch.Tensor) -> torch.Tensor:
    """Hard decision, 0/1 as float: negative y -> bit 1 (y = 0 counts as bit 0)."""
    return (y < 0).float()  # (B, n)


def bipolar_syndrome(y: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """1 - 2 s with s = H * hard(y) mod 2: +1 for a satisfied check, -1 for an unsatisfied one."""
    s = torch.remainder(hard_bits(y) @ H.t(), 2.0)  # (B, m)
    return 1.0 - 2.0 * s  # (B, m)


def ecct_input(y: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """[|y|, bipolar syndrome], the codeword-invariant input of ECCT (Bennatan et al. 2018)."""
    return torch.cat([y.abs(), bipolar_syndrome(y, H)], dim=-1)  # (B, n + m)


def multiplicative_noise_target(y: torch.Tensor, x_bipolar: torch.Tensor) -> torch.Tensor:
    """Target for BCE-with-logits: 1 where sign(y * x) = +1 (hard decision right), 0 where it flips.

    The model's logit is then the log-odds that the hard decision of y is correct, so
    x_hat = sign(y) * sign(logit) and sign(y) * logit is an LLR-like soft output (positive = bit 0).
    """
    z_mul = torch.sign(y * x_bipolar)  # (B, n) in {-1, +1} (0 only if y == 0 exactly)
    return (z_mul >= 0).float()  # (B, n)
