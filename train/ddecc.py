"""DDECC: Denoising Diffusion Error Correction Codes (Choukroun & Wolf, ICLR 2023), one file.

Method (paper and its public code). The AWGN channel is the forward diffusion y_t = x_0 + sqrt(beta_bar_t) eps with a
constant per-step variance beta (0.01 for short codes), beta_bar_t = beta (t + 1), T = m + 5 steps. The noise level is not
observable, so the denoiser is conditioned on the number of unsatisfied parity checks e = sum_j s_j(y) instead of t: an
ECCT whose input embedding (per-position d-vector times [|y|, 1 - 2 s]) is multiplied by a learned time embedding
Embedding(T, d)[e]. It is trained like ECCT, BCE on the multiplicative noise sign. Reverse step at e > 0:
  x0_hat = sign(y) * (predicted sign of the multiplicative noise),
  y <- y - a * sqrt(beta_bar_e) beta / (beta_bar_e + beta) * (y - x0_hat),
with a = 1 (plain) or, with the line search, the a in {1, ..., 20} whose y has the fewest unsatisfied checks (the first
such a). Frames whose syndrome is zero stop changing; the loop runs at most m steps (the public code's loop length), and
the decision is sign(y) at the end.

Here: `reverse(llr)` runs that loop on the frames still active (a codeword costs no net pass) and stops early when every
frame of the batch is a codeword; `forward` returns log-odds that the hard decision of L is right as train/ expects, and
export(code_index) wraps it in SoftOutput, so the TorchScript runs the whole reverse process. The soft output is the
final y in LLR units (scale c_hat * y), positive = bit 0; for a frame that is already a codeword it is the input LLR.
`python3 train/ddecc.py steps CKPT --ebn0 4,6` logs the mean number of reverse steps (net passes per frame) and the BER.

Deviations from the paper, and why:
- The receiver gives canonical LLRs L = c y with c = 2 / sigma^2 unknown to the decoder, while DDECC's diffusion and
  net live on y. The decoder recovers y = L / c_hat per frame with the moment estimate c_hat = sqrt(1 + mean(L^2)) - 1
  (for BPSK-AWGN E[L^2] = c^2 + 2c, whatever the codeword); training feeds the net the same estimate, so it learns
  with the estimator's error. Hence the code must be unpunctured (no LLR-0 or known-bit columns); build() checks it.
- Noise levels in training: the batch as drawn (Eb/N0 uniform per sample in the config's range, as every arch here),
  not t uniform on the linear schedule: with beta = 0.01 the schedule's largest sigma^2 is 0.37 (about 4.3 dB for
  rate 1/2) and most of its draws are nearly error-free; with a 25-minute CPU budget the steps go where the decoder is
  tested. The net never sees t (only e), so only the mix of noise levels differs.
- The loss is BCE on "hard decision right" (ECCT logit convention of train/), the public code's "flip" logit negated.
- No EMA of the weights (the public code keeps one with mu = 0.9 and does not use it at test time).
- Backbone size as in the config (N = 2, d = 32 here, the public code's default; the papers' tables use N = 6, d = 128).
"""
import math
import os
import sys
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ecct  # noqa: E402
from channel import Batch, SoftOutput, multiplicative_noise_target, syndrome_features  # noqa: E402


@dataclass
class Config:
    n: int = 0                   # code length; build() fills n and m from the code
    m: int = 0                   # rows of H, redundant rows included
    n_layers: int = 2            # N, ECCT blocks (papers: 6)
    d_model: int = 32            # d (papers: 128)
    n_heads: int = 8             # attention heads, as the public code
    ff_mult: int = 4             # feed-forward width = ff_mult * d
    dropout: float = 0.0
    beta: float = 0.01           # per-step variance of the linear schedule (paper: 0.01 short codes, 0.0025 long)
    extra_steps: int = 5         # T = m + extra_steps time embeddings (paper: n - k + 5)
    max_reverse_steps: int = 0   # cap on reverse steps; 0 = m, the public code's loop length
    line_search: bool = True     # syndrome line search over the step multiplier (the paper's best results use it)
    line_search_max: int = 20    # multipliers 1..line_search_max, as the public code


def syndrome_weight(y: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """Number of unsatisfied checks of the hard decision of y (..., n) -> (...) long. H (m, n) float."""
    return torch.remainder((y < 0).float() @ H.t(), 2.0).sum(-1).round().long()


def signal_scale(llr: torch.Tensor) -> torch.Tensor:
    """c_hat = sqrt(1 + mean L^2) - 1 per frame (B, 1): E[L^2] = c^2 + 2c for L = c (x + sigma z), c = 2 / sigma^2."""
    return ((1.0 + llr.pow(2).mean(dim=1, keepdim=True)).sqrt() - 1.0).clamp(min=1e-6)


class Denoiser(ecct.ECCT):
    """ECCT conditioned on the syndrome weight e: the input embedding is scaled by Embedding(T, d)[e]."""

    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__(cfg, H)
        self.time_embedding = nn.Embedding(cfg.m + cfg.extra_steps, cfg.d_model)  # (T, d)
        nn.init.xavier_uniform_(self.time_embedding.weight)  # the public code initialises every matrix this way

    def forward(self, y, e):
        """y (B, n) signal, e (B,) syndrome weights -> (B, n) logits that the hard decision of y is right."""
        features = syndrome_features(y, self.H)  # (B, n + m): [|y|, 1 - 2 s]
        x = self.position_embedding.unsqueeze(0) * features.unsqueeze(-1)  # (B, L, d)
        x = x * self.time_embedding(e).unsqueeze(1)  # (B, L, d) time condition
        for index, block in enumerate(self.blocks, start=1):
            x = block(x, self.allowed)  # (B, L, d)
            if index == len(self.blocks) // 2:
                x = self.ln_mid(x)
        x = self.ln_final(x)  # (B, L, d)
        return self.to_bits(self.to_scalar(x).squeeze(-1))  # (B, n)


class DDECC(nn.Module):
    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__()
        self.cfg = cfg
        self.denoiser = Denoiser(cfg, H)
        self.register_buffer("H", (H > 0).float())  # (m, n)
        self.register_buffer("multipliers", torch.arange(1, cfg.line_search_max + 1, dtype=torch.float32))  # (A,)
        self.beta = cfg.beta
        self.max_reverse_steps = cfg.max_reverse_steps or cfg.m
        self.line_search = cfg.line_search

    def step(self, y, e):
        """One reverse step of frames with e > 0: y (B, n), e (B,) -> y (B, n)."""
        logits = self.denoiser(y, e)  # (B, n) hard decision of y right?
        x0 = torch.where(y >= 0, 1.0, -1.0) * torch.where(logits >= 0, 1.0, -1.0)  # (B, n) estimate of x_0
        beta_bar = self.beta * (e.float() + 1.0)  # (B,) the schedule's variance at t = e
        factor = beta_bar.sqrt() * self.beta / (beta_bar + self.beta)  # (B,) the paper's step size
        move = factor.unsqueeze(1) * (y - x0)  # (B, n)
        if not self.line_search:
            return y - move
        candidates = y.unsqueeze(1) - self.multipliers.view(1, -1, 1) * move.unsqueeze(1)  # (B, A, n)
        best = syndrome_weight(candidates, self.H).argmin(dim=1)  # (B,) first multiplier with fewest violated checks
        return candidates.gather(1, best.view(-1, 1, 1).expand(-1, 1, y.shape[1])).squeeze(1)  # (B, n)

    def reverse(self, llr) -> Tuple[torch.Tensor, torch.Tensor]:
        """Whole reverse process: llr (B, n) -> (soft output (B, n) positive = bit 0, reverse steps per frame (B,))."""
        scale = signal_scale(llr)  # (B, 1)
        y = llr / scale  # (B, n) the channel output, up to the estimate's error
        steps = torch.zeros(llr.shape[0], dtype=torch.long, device=llr.device)  # (B,)
        for _ in range(self.max_reverse_steps):
            e = syndrome_weight(y, self.H)  # (B,)
            active = torch.nonzero(e > 0).flatten()  # frames not yet codewords
            if active.numel() == 0:
                break
            y = y.index_copy(0, active, self.step(y.index_select(0, active), e.index_select(0, active)))
            steps = steps.index_add(0, active, torch.ones_like(active))
        return y * scale, steps

    def forward(self, llr, code_index: int = 0):
        """llr (B, n) -> (B, n) logits of P(hard decision of llr is right), from the reverse process's final y."""
        soft, _ = self.reverse(llr)
        return torch.where(llr >= 0, soft, -soft)

    def loss(self, batch: Batch, code_index: int = 0):
        """BCE on the multiplicative noise sign of one denoiser pass conditioned on the batch's syndrome weight.

        Returns (loss, logits of the batch's own LLRs): the one-step decision, for the running BER."""
        y = batch.llr / signal_scale(batch.llr)  # (B, n) as the decoder sees it
        logits = self.denoiser(y, syndrome_weight(y, self.H))  # (B, n)
        return F.binary_cross_entropy_with_logits(logits, multiplicative_noise_target(batch.llr, batch.x)), logits

    def export(self, code_index: int = 0) -> nn.Module:
        module = SoftOutput(self)
        # torch 1.13 exports the reverse loop as an ONNX Loop whose body ONNX Runtime rejects (ScatterElements typed
        # int64 and float): the receiver runs DDECC's TorchScript (TorchSharp) only.
        module.onnx_unsupported = "the data-dependent reverse loop exports as an ONNX Loop that ONNX Runtime refuses"
        return module

    def num_params(self):
        return sum(p.numel() for p in self.parameters())


def build(cfg: Config, codes) -> DDECC:
    """DDECC for codes[0] (one model per code)."""
    code = codes[0]
    assert code.transmitted is None, "DDECC's signal estimate needs an unpunctured code (every column sent)"
    cfg.n, cfg.m = code.n, code.m
    return DDECC(cfg, torch.from_numpy(code.H).float())


@torch.no_grad()
def count_steps(ckpt_path: str, ebn0_points, frames: int, batch: int, seed: int):
    """Mean reverse steps (net passes per frame), share of frames ending as codewords, and BER per Eb/N0 (all-zero
    frames: the decoder is codeword-invariant)."""
    from channel import decide, sample_code_batch
    from train import load_checkpoint
    model, _, _, codes, ckpt = load_checkpoint(ckpt_path)
    model.eval()
    code = codes[0]
    generator = torch.Generator().manual_seed(seed)
    print(f"{code.name}: checkpoint {ckpt_path} (step {ckpt['step']}), line search {model.line_search}, "
          f"at most {model.max_reverse_steps} steps, {frames} frames per point")
    for ebn0 in ebn0_points:
        all_steps, errors, codewords = [], 0, 0
        for _ in range(max(1, frames // batch)):
            sample = sample_code_batch(code, batch, ebn0, ebn0, generator)
            soft, steps = model.reverse(sample.llr)
            all_steps.append(steps.float())
            errors += int((decide(sample.llr, torch.where(sample.llr >= 0, soft, -soft)) != (sample.x < 0).float()).sum())
            codewords += int((syndrome_weight(soft, model.H) == 0).sum())
        steps = torch.cat(all_steps)
        ber = errors / (steps.numel() * code.n)
        print(f"  Eb/N0 {ebn0:.1f} dB | reverse steps mean {steps.mean():.3f} std {steps.std():.3f} max {int(steps.max())} "
              f"| frames needing >= 1 step {float((steps > 0).float().mean()):.3f} | ending as codewords "
              f"{codewords / steps.numel():.4f} | BER {ber:.3e} -ln {(-math.log(ber) if ber > 0 else float('inf')):.2f}")


def main(argv):
    usage = "usage: ddecc.py steps CKPT_OR_OUT_DIR [--ebn0 4,6] [--frames 20000] [--batch 1000] [--seed 1]"
    if len(argv) < 2 or argv[0] != "steps":
        raise SystemExit(usage)
    options = {"ebn0": "4,6", "frames": "20000", "batch": "1000", "seed": "1"}
    words = [part for arg in argv[2:] for part in arg.split("=", 1)]  # --key=value or --key value
    for key, value in zip(words[::2], words[1::2]):
        if key.lstrip("-") not in options:
            raise SystemExit(usage)
        options[key.lstrip("-")] = value
    path = os.path.join(argv[1], "ckpt.pt") if os.path.isdir(argv[1]) else argv[1]
    torch.set_num_threads(1)
    count_steps(path, [float(v) for v in options["ebn0"].split(",")], int(options["frames"]), int(options["batch"]),
                int(options["seed"]))


if __name__ == "__main__":
    from cpuenv import fast_cpu_environment
    fast_cpu_environment()  # re-execs before the loop runs (OpenBLAS single-threaded, jemalloc)
    main(sys.argv[1:])
