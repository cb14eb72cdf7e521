"""ECCFM on a CrossMPT backbone, one file.

Backbone, CrossMPT (Park et al., ICLR 2025): n magnitude tokens (variable nodes) and m syndrome tokens
(check nodes), each a learned per-position d-vector scaled by its input value. Every layer updates the
magnitude tokens by cross-attention to the syndrome tokens of their checks (mask H^T), then the
syndrome tokens by cross-attention to the magnitude tokens they check (mask H), with one shared pre-LN
block (attention on LN(query), then a feed-forward) used for both halves, as the public CrossMPT code
shares it. A mid-stack and a final LayerNorm, then Linear(d, 1) and Linear(n + m, n) give one logit per bit.

Objective, ECCFM (Lei et al., "Syndrome-Flow Consistency Model"): the net is conditioned on the soft
syndrome error e = -(1/m) sum_j log Pr(S_j = 0), Pr(S_j = 0) = (1 + prod_{i in j} tanh(L_i / 2)) / 2
(Eq. 7-8; 2 sigmoid(L) - 1 = tanh(L/2)). Training (Algorithm 1) takes one noise draw z at two levels of
the same trajectory, t and r, and sums BCE(f(x_t, e_t), x0) + BCE(f(x_r, e_r), x0) (EC-CM) plus
lambda * (e(f(x_t)) + e(f(x_r))), the soft syndrome of the outputs. Inference is one step: f(L, e(L)).

Output convention (train/ contract): logit = log-odds that the hard decision of L is right; the soft
output sign(L) * logit is the net's estimate of x0 as an LLR (positive = bit 0). BCE of that estimate
against x0 equals BCE of the logit against "hard decision right", which is what loss() computes.

Deviations from the paper, and why:
- Input is the canonical LLR L = 2y/sigma^2, not y: the receiver only has LLRs. Magnitude tokens carry
  |L| (so they also carry the SNR); the syndrome tokens are 1 - 2 s, s = H (L < 0) mod 2, as CrossMPT.
- The time condition e is computed from L itself. This is the paper's Eq. 8 exactly (it uses 2y/sigma^2
  with sigma known at the receiver), so nothing is lost; e averages over the m rows of H as stored
  (redundant rows included) instead of dividing by n - k.
- Noise levels: x_t is the training batch as drawn (Eb/N0 uniform per sample, same as every arch here),
  not t ~ U{1..n-k+5} on the paper's linear beta schedule (beta 0.01, which only reaches about
  4.3-5.3 dB on these codes). x_r re-noises the same z at sigma_r^2 = alpha sigma_t^2, which is r = alpha t
  on a linear schedule (alpha = 0.8 as the paper).
- The soft-syndrome regulariser is minimised: the paper writes L_Soft-syn = -e and adds lambda L_Soft-syn,
  which read literally would push outputs away from codewords; e is the BCE of the output syndrome
  against zero (Eq. 7 text), so the loss adds +lambda e. It is taken on the soft output sign(L) * logit.
- How e enters the net is not given in the paper (only "a 2-layer time embedding"): here
  Linear(1, d) -> SiLU -> Linear(d, d) scales every token embedding by (1 + emb(e)), a multiplicative
  condition like DDECC's time embedding, centred on 1 so an untrained branch leaves the tokens intact.
- No EMA of the weights (paper: 0.999): the EC-CM loss needs no EMA target net, and train.py owns the
  optimiser; an EMA of the shipped weights would belong there.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from channel import Batch, SoftOutput, bipolar_syndrome, canonical_llr, multiplicative_noise_target, soft_output


@dataclass
class Config:
    n: int = 0                     # code length (variable nodes); build() fills n and m from the code
    m: int = 0                     # rows of H (check nodes), redundant rows included
    n_layers: int = 2              # N, shared cross-attention blocks (paper: 6)
    d_model: int = 32              # d (paper: 128)
    n_heads: int = 8               # attention heads, as CrossMPT
    ff_mult: int = 4               # feed-forward width = ff_mult * d
    dropout: float = 0.0
    alpha: float = 0.8             # r = alpha t: the second point has sigma_r^2 = alpha sigma_t^2
    syndrome_weight: float = 0.01  # lambda, weight of the output soft-syndrome regulariser
    min_probability: float = 1e-6  # floor on Pr(S_j = 0) before its log (a check surely violated)


def check_neighbours(H: torch.Tensor) -> torch.Tensor:
    """(m, max row weight) long: variable indices of each check, padded with n (a constant-1 slot)."""
    m, n = H.shape
    rows = [torch.nonzero(H[j] > 0).flatten() for j in range(m)]
    width = max(len(r) for r in rows)
    index = torch.full((m, width), n, dtype=torch.long)
    for j, r in enumerate(rows):
        index[j, :len(r)] = r
    return index


def soft_syndrome_error(llr: torch.Tensor, neighbours: torch.Tensor, min_probability: float) -> torch.Tensor:
    """e = -(1/m) sum_j log Pr(S_j = 0), mean-field Pr(S_j = 0) = (1 + prod tanh(L_i / 2)) / 2. Returns (B, 1)."""
    B, n = llr.shape
    m, width = neighbours.shape
    t = torch.cat([torch.tanh(0.5 * llr), torch.ones_like(llr[:, :1])], dim=1)  # (B, n + 1), slot n = 1
    product = t.index_select(1, neighbours.reshape(-1)).view(B, m, width).prod(dim=-1)  # (B, m)
    satisfied = (0.5 * (1.0 + product)).clamp(min=min_probability)  # (B, m) Pr(S_j = 0)
    return -satisfied.log().mean(dim=-1, keepdim=True)  # (B, 1)


class CrossAttention(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        assert cfg.d_model % cfg.n_heads == 0
        self.n_heads = cfg.n_heads
        self.scale = 1.0 / math.sqrt(cfg.d_model // cfg.n_heads)  # a float constant (exports as one)
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.kv = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, query, memory, bias):
        """bias (Lq, Lk): 0 where the query reads the key, -inf elsewhere (every query reads at least one key)."""
        B, Lq, d = query.shape  # (B, Lq, d)
        Lk = memory.shape[1]  # memory (B, Lk, d)
        dh = d // self.n_heads
        q = self.q(query).view(B, Lq, self.n_heads, dh).transpose(1, 2)  # (B, h, Lq, dh)
        k, v = self.kv(memory).split(d, dim=-1)  # 2 x (B, Lk, d)
        k = k.view(B, Lk, self.n_heads, dh).transpose(1, 2)  # (B, h, Lk, dh)
        v = v.view(B, Lk, self.n_heads, dh).transpose(1, 2)  # (B, h, Lk, dh)
        scores = torch.matmul(q, k.transpose(-2, -1)) * self.scale + bias  # (B, h, Lq, Lk)
        attn = self.dropout(F.softmax(scores, dim=-1))  # (B, h, Lq, Lk)
        return self.proj(torch.matmul(attn, v).transpose(1, 2).reshape(B, Lq, d))  # (B, Lq, d)


class Block(nn.Module):
    """Pre-LN cross block: x + attn(LN(x), memory), then x + ff(LN(x)). Memory is not normalised (as CrossMPT)."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.ln_attn = nn.LayerNorm(cfg.d_model)
        self.attn = CrossAttention(cfg)
        self.ln_ff = nn.LayerNorm(cfg.d_model)
        self.ff = nn.Sequential(nn.Linear(cfg.d_model, cfg.ff_mult * cfg.d_model), nn.GELU(),
                                nn.Linear(cfg.ff_mult * cfg.d_model, cfg.d_model))
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, memory, bias):
        x = x + self.dropout(self.attn(self.ln_attn(x), memory, bias))  # (B, Lq, d)
        return x + self.dropout(self.ff(self.ln_ff(x)))  # (B, Lq, d)


class ECCFM(nn.Module):
    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__()
        assert tuple(H.shape) == (cfg.m, cfg.n), f"H is {tuple(H.shape)}, config says ({cfg.m}, {cfg.n})"
        Hb = H > 0  # (m, n)
        assert bool(Hb.any(0).all()) and bool(Hb.any(1).all()), "every bit and every check needs an edge"
        self.cfg = cfg
        self.register_buffer("H", Hb.float())  # (m, n)
        self.register_buffer("variable_allowed", Hb.t().contiguous())  # (n, m) bit i reads check j iff H[j, i]
        self.register_buffer("check_allowed", Hb.clone())  # (m, n) check j reads bit i iff H[j, i]
        # the masks as additive 0 / -inf biases (one add instead of a masked_fill per attention map)
        self.register_buffer("variable_bias", torch.zeros(cfg.n, cfg.m).masked_fill(~Hb.t(), float("-inf")), persistent=False)
        self.register_buffer("check_bias", torch.zeros(cfg.m, cfg.n).masked_fill(~Hb, float("-inf")), persistent=False)
        self.register_buffer("neighbours", check_neighbours(Hb))  # (m, max row weight)
        self.min_probability = cfg.min_probability
        self.variable_embedding = nn.Parameter(torch.empty(cfg.n, cfg.d_model))  # (n, d)
        self.check_embedding = nn.Parameter(torch.empty(cfg.m, cfg.d_model))  # (m, d)
        self.time_embedding = nn.Sequential(nn.Linear(1, cfg.d_model), nn.SiLU(), nn.Linear(cfg.d_model, cfg.d_model))
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.mid_layer = cfg.n_layers // 2 if cfg.n_layers > 1 else -1  # CrossMPT/ECCT normalise once mid-stack
        self.ln_mid = nn.LayerNorm(cfg.d_model)
        self.ln_final = nn.LayerNorm(cfg.d_model)
        self.to_scalar = nn.Linear(cfg.d_model, 1)  # W_{d->1}
        self.to_bits = nn.Linear(cfg.n + cfg.m, cfg.n)  # (n+m) -> n
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, llr, code_index: int = 0):
        """One-step decoding: llr (B, n) canonical LLRs -> (B, n) logits of P(hard decision of llr is right)."""
        e = soft_syndrome_error(llr, self.neighbours, self.min_probability)  # (B, 1) time condition
        scale = 1.0 + self.time_embedding(e).unsqueeze(1)  # (B, 1, d)
        v = self.variable_embedding * llr.abs().unsqueeze(-1) * scale  # (B, n, d) magnitude tokens
        c = self.check_embedding * bipolar_syndrome(llr, self.H).unsqueeze(-1) * scale  # (B, m, d) syndrome tokens
        for index, block in enumerate(self.blocks):
            v = block(v, c, self.variable_bias)  # (B, n, d) bits read their checks (H^T)
            c = block(c, v, self.check_bias)  # (B, m, d) checks read their bits (H)
            if index + 1 == self.mid_layer:
                v = self.ln_mid(v)
                c = self.ln_mid(c)
        x = self.ln_final(torch.cat([v, c], dim=1))  # (B, n + m, d)
        return self.to_bits(self.to_scalar(x).squeeze(-1))  # (B, n)

    def loss(self, batch: Batch, code_index: int = 0):
        """EC-CM consistency loss on two levels of one noise draw + lambda * output soft syndrome.

        Returns (loss, logits of the batch's own LLRs) for the running BER.
        """
        B = batch.llr.shape[0]
        sigma_r = batch.sigma * math.sqrt(self.cfg.alpha)  # (B, 1) the less noisy point r = alpha t
        llr_r = canonical_llr(batch.x + sigma_r * batch.z, sigma_r)  # (B, n) same z
        llr = torch.cat([batch.llr, llr_r], dim=0)  # (2B, n): x_t then x_r, one pass
        logits = self(llr)  # (2B, n)
        target = multiplicative_noise_target(llr, torch.cat([batch.x, batch.x], dim=0))  # (2B, n)
        consistency = 2.0 * F.binary_cross_entropy_with_logits(logits, target)  # BCE_t + BCE_r (means)
        output_syndrome = soft_syndrome_error(soft_output(llr, logits), self.neighbours, self.min_probability)
        regulariser = 2.0 * output_syndrome.mean()  # e(f(x_t)) + e(f(x_r)), batch means
        return consistency + self.cfg.syndrome_weight * regulariser, logits[:B]

    def export(self, code_index: int = 0) -> nn.Module:
        return SoftOutput(self)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())


def build(cfg: Config, codes) -> ECCFM:
    """ECCFM for codes[0] (one model per code, H in buffers)."""
    code = codes[0]
    cfg.n, cfg.m = code.n, code.m
    return ECCFM(cfg, torch.from_numpy(code.H).float())
