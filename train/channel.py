"""BPSK over AWGN with the project's Eb/N0 convention, and the input/target transforms.

Bit 0 -> +1. sigma^2 = 1 / (2 R 10^(EbN0/10)) with R = k/n from the code's name.
Canonical LLR = 2y/sigma^2, positive means bit 0. Models read LLRs, never y: the receiver only has LLRs.
Training uses the all-zero codeword (x = +1 everywhere), with Eb/N0 drawn per sample.
"""
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from codes import rref


@dataclass
class Batch:
    """One training batch over BPSK-AWGN; y = x + sigma z and llr = 2y/sigma^2."""
    x: torch.Tensor       # (B, n) bipolar codeword, +1 for bit 0
    z: torch.Tensor       # (B, n) unit Gaussian noise draw
    sigma: torch.Tensor   # (B, 1) noise standard deviation
    ebn0: torch.Tensor    # (B, 1) Eb/N0 in dB
    rate: float           # k/n used for sigma
    llr: torch.Tensor     # (B, n) canonical LLR


def sample_batch(batch: int, n: int, rate: float, ebn0_low: float, ebn0_high: float,
                 generator: torch.Generator = None, device="cpu") -> Batch:
    """All-zero codewords through AWGN, Eb/N0 uniform in [low, high] dB per sample. Without a generator the draws
    happen on the device itself (no host-to-GPU copy per training step); a generator draws on its own device."""
    where = generator.device if generator is not None else device
    ebn0 = ebn0_low + (ebn0_high - ebn0_low) * torch.rand(batch, 1, generator=generator, device=where)  # (B, 1)
    sigma = sigma_for(ebn0, rate)  # (B, 1)
    z = torch.randn(batch, n, generator=generator, device=where)  # (B, n)
    x = torch.ones(batch, n, device=where)  # (B, n)
    ebn0, sigma, z, x = (t.to(device) for t in (ebn0, sigma, z, x))
    return Batch(x=x, z=z, sigma=sigma, ebn0=ebn0, rate=rate, llr=canonical_llr(x + sigma * z, sigma))


KNOWN_BIT_LLR = 1e4  # the receiver's LLR for known (filler) bits, IBlockCode.KnownBitLlr


def sample_code_batch(code, batch: int, ebn0_low: float, ebn0_high: float,
                      generator: torch.Generator = None, device="cpu") -> Batch:
    """sample_batch over a code's decoding graph. For punctured/shortened codes (5G NR, code.transmitted set) the
    channel carries only the transmitted columns; punctured columns get LLR 0, known filler bits KNOWN_BIT_LLR,
    as the receiver maps them (IBlockCode.ToGraphLlr), and the codewords are random: with all-zero codewords a
    punctured bit (LLR 0, decided 0) would always be right and a model would never learn to recover it.
    x, z and llr are (B, graph columns)."""
    if code.transmitted is None:
        return sample_batch(batch, code.n, code.rate, ebn0_low, ebn0_high, generator, device)
    basis = torch.from_numpy(codeword_basis(code)).float()  # (k, n_graph)
    info = (torch.rand(batch, basis.shape[0], generator=generator) < 0.5).float()
    x = (1.0 - 2.0 * torch.remainder(info @ basis, 2.0)).to(device)  # (B, n_graph) bipolar codewords
    sent = sample_batch(batch, len(code.transmitted), code.rate, ebn0_low, ebn0_high, generator, device)
    columns = torch.as_tensor(code.transmitted, dtype=torch.long, device=device)
    y = x[:, columns] + sent.sigma * sent.z  # (B, n_sent)
    z = torch.zeros(batch, code.n, device=device).index_copy_(1, columns, sent.z)  # (B, n_graph)
    llr = torch.zeros(batch, code.n, device=device).index_copy_(1, columns, canonical_llr(y, sent.sigma))
    if len(code.known_zero):
        llr[:, torch.as_tensor(code.known_zero, dtype=torch.long, device=device)] = KNOWN_BIT_LLR
    return Batch(x=x, z=z, sigma=sent.sigma, ebn0=sent.ebn0, rate=code.rate, llr=llr)


def codeword_basis(code) -> np.ndarray:
    """(k, n) GF(2) basis of the codewords of H with the known-zero columns at 0 (cached on the code)."""
    if getattr(code, "_basis", None) is None:
        free = np.setdiff1d(np.arange(code.n), code.known_zero if code.known_zero is not None else [])
        A, pivots = rref(code.H[:, free])
        basis = []
        for col in (c for c in range(A.shape[1]) if c not in set(pivots)):  # one basis vector per free column
            vector = np.zeros(code.n, dtype=np.uint8)
            vector[free[col]] = 1
            for r, pivot in enumerate(pivots):  # pivot variable = sum of the free ones in its row
                vector[free[pivot]] = A[r, col]
            basis.append(vector)
        code._basis = np.array(basis)
    return code._basis


def sigma_for(ebn0_db: torch.Tensor, rate: float) -> torch.Tensor:
    """Noise standard deviation for Eb/N0 in dB (any shape)."""
    return (1.0 / (2.0 * rate * 10.0 ** (ebn0_db / 10.0))).sqrt()


def canonical_llr(y: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """L = ln P(b=0)/P(b=1) = 2y/sigma^2 (positive = bit 0)."""
    return 2.0 * y / sigma ** 2  # (B, n)


def hard_bits(llr: torch.Tensor) -> torch.Tensor:
    """Hard decision, 0/1 as float: negative LLR -> bit 1 (0 counts as bit 0)."""
    return (llr < 0).float()  # (B, n)


def bipolar_syndrome(llr: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """1 - 2 s with s = H * hard(llr) mod 2: +1 for a satisfied check, -1 for an unsatisfied one. H (m, n) float."""
    s = torch.remainder(hard_bits(llr) @ H.t(), 2.0)  # (B, m)
    return 1.0 - 2.0 * s  # (B, m)


def syndrome_features(llr: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """[|L|, bipolar syndrome], the codeword-invariant input of ECCT (Bennatan et al. 2018), on LLRs."""
    return torch.cat([llr.abs(), bipolar_syndrome(llr, H)], dim=-1)  # (B, n + m)


def multiplicative_noise_target(llr: torch.Tensor, x_bipolar: torch.Tensor) -> torch.Tensor:
    """Target for BCE-with-logits: 1 where sign(L x) = +1 (hard decision right), 0 where it flips.

    The model's logit is then the log-odds that the hard decision is correct, so
    x_hat = sign(L) * sign(logit) and sign(L) * logit is an LLR-like soft output (positive = bit 0).
    """
    hard = torch.where(llr >= 0, 1.0, -1.0)  # L = 0 (punctured) is decided bit 0, like soft_output and decide
    return (hard * x_bipolar > 0).float()  # (B, n)


def soft_output(llr: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """LLR-like output, positive = bit 0: sign(L) * logit (L = 0 counts as +)."""
    return torch.where(llr >= 0, logits, -logits)  # (B, n)


def decide(llr: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Hard bits 0/1 as float from the soft output."""
    return (soft_output(llr, logits) < 0).float()  # (B, n)


class SoftOutput(nn.Module):
    """What the receiver runs: canonical LLR (B, n) -> soft output sign(L) * logit (B, n), positive = bit 0."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, llr):
        return soft_output(llr, self.model(llr))  # (B, n)
