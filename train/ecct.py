"""ECCT: Error Correction Code Transformer (Choukroun & Wolf 2022), one file.

Input h(L) = [|L|, 1 - 2 s(L)] of length n + m; each position has a learned d-vector scaled by
its input value; N pre-LN transformer blocks whose self-attention is limited by a fixed mask
built from H; then Linear(d, 1) and Linear(n + m, n). The output logit per bit is the log-odds
that the hard decision of L is right (multiplicative noise sign +1), trained with BCE on it.
Deviation from the paper: the input is the canonical LLR L = 2y/sigma^2 instead of y, because the
receiver only has LLRs (the magnitude then also carries the SNR). The public ECCT code predicts the
flip instead of "right"; that is the same net with the logit negated.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from channel import Batch, SoftOutput, multiplicative_noise_target, syndrome_features


@dataclass
class Config:
    n: int = 0             # code length (variable nodes); build() fills n and m from the code
    m: int = 0             # rows of H (check nodes), redundant rows included
    n_layers: int = 2      # N, transformer blocks (papers: 6 or 10)
    d_model: int = 32      # d, embedding size (papers: 128)
    n_heads: int = 8       # attention heads, as the ECCT code
    ff_mult: int = 4       # feed-forward width = ff_mult * d
    dropout: float = 0.0   # ECCT trains without dropout


def code_aware_mask(H: torch.Tensor) -> torch.Tensor:
    """(n+m, n+m) bool, True where attention is allowed (as the public ECCT code builds it).

    Positions 0..n-1 are variables, n..n+m-1 checks. Allowed: each position to itself, two
    variables sharing a check (second ring), a variable and a check it belongs to (first ring).
    Check-to-check pairs stay masked, as in ECCT's build_mask.
    """
    m, n = H.shape
    Hb = (H > 0).float()  # (m, n)
    allowed = torch.eye(n + m, dtype=torch.bool)  # (n+m, n+m)
    allowed[:n, :n] |= (Hb.t() @ Hb) > 0  # (n, n) variables sharing a check
    allowed[:n, n:] |= Hb.t() > 0  # (n, m) variable -> its checks
    allowed[n:, :n] |= Hb > 0  # (m, n) check -> its variables
    return allowed


class MaskedSelfAttention(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        assert cfg.d_model % cfg.n_heads == 0
        self.n_heads = cfg.n_heads
        self.scale = 1.0 / math.sqrt(cfg.d_model // cfg.n_heads)  # a float constant: a scripted sqrt of a size exports as an int64 Sqrt ONNX Runtime refuses
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, allowed):
        B, L, d = x.shape  # (B, L, d) with L = n + m
        q, k, v = self.qkv(x).split(d, dim=-1)  # 3 x (B, L, d)
        q = q.view(B, L, self.n_heads, d // self.n_heads).transpose(1, 2)  # (B, h, L, dh)
        k = k.view(B, L, self.n_heads, d // self.n_heads).transpose(1, 2)  # (B, h, L, dh)
        v = v.view(B, L, self.n_heads, d // self.n_heads).transpose(1, 2)  # (B, h, L, dh)
        scores = (q @ k.transpose(-2, -1)) * self.scale  # (B, h, L, L)
        scores = scores.masked_fill(~allowed, float("-inf"))  # (B, h, L, L) diagonal always allowed
        attn = self.dropout(F.softmax(scores, dim=-1))  # (B, h, L, L)
        out = (attn @ v).transpose(1, 2).reshape(B, L, d)  # (B, L, d)
        return self.proj(out)  # (B, L, d)


class FeedForward(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, cfg.ff_mult * cfg.d_model)
        self.out = nn.Linear(cfg.ff_mult * cfg.d_model, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.out(self.dropout(F.gelu(self.fc(x))))  # (B, L, d)


class Block(nn.Module):
    """Pre-LN: x + attn(LN(x)), then x + ff(LN(x))."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.ln_attn = nn.LayerNorm(cfg.d_model)
        self.attn = MaskedSelfAttention(cfg)
        self.ln_ff = nn.LayerNorm(cfg.d_model)
        self.ff = FeedForward(cfg)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, allowed):
        x = x + self.dropout(self.attn(self.ln_attn(x), allowed))  # (B, L, d)
        x = x + self.dropout(self.ff(self.ln_ff(x)))  # (B, L, d)
        return x


class ECCT(nn.Module):
    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__()
        assert tuple(H.shape) == (cfg.m, cfg.n), f"H is {tuple(H.shape)}, config says ({cfg.m}, {cfg.n})"
        self.cfg = cfg
        L = cfg.n + cfg.m
        self.register_buffer("H", (H > 0).float())  # (m, n)
        self.register_buffer("allowed", code_aware_mask(H))  # (L, L)
        self.position_embedding = nn.Parameter(torch.empty(L, cfg.d_model))  # (L, d)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        # the ECCT code normalises once mid-stack (when N > 1) and once at the end
        self.ln_mid = nn.LayerNorm(cfg.d_model) if cfg.n_layers > 1 else nn.Identity()
        self.ln_final = nn.LayerNorm(cfg.d_model)
        self.to_scalar = nn.Linear(cfg.d_model, 1)  # W_{d->1}
        self.to_bits = nn.Linear(L, cfg.n)  # W_o: (n+m) -> n
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, llr, code_index: int = 0):
        """llr (B, n) canonical LLRs -> (B, n) logits of P(hard decision of llr is right)."""
        features = syndrome_features(llr, self.H)  # (B, L)
        x = self.position_embedding.unsqueeze(0) * features.unsqueeze(-1)  # (B, L, d)
        for index, block in enumerate(self.blocks, start=1):
            x = block(x, self.allowed)  # (B, L, d)
            if index == len(self.blocks) // 2:
                x = self.ln_mid(x)  # (B, L, d)
        x = self.ln_final(x)  # (B, L, d)
        x = self.to_scalar(x).squeeze(-1)  # (B, L)
        return self.to_bits(x)  # (B, n)

    def loss(self, batch: Batch, code_index: int = 0):
        """BCE on the multiplicative noise sign; returns (loss, logits)."""
        logits = self(batch.llr)  # (B, n)
        return F.binary_cross_entropy_with_logits(logits, multiplicative_noise_target(batch.llr, batch.x)), logits

    def export(self, code_index: int = 0) -> nn.Module:
        return SoftOutput(self)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())


def build(cfg: Config, codes) -> ECCT:
    """ECCT for codes[0] (one model per code)."""
    code = codes[0]
    cfg.n, cfg.m = code.n, code.m
    return ECCT(cfg, torch.from_numpy(code.H).float())
