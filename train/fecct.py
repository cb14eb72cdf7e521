"""FECCT: the foundation ECC transformer (Choukroun & Wolf, ICLR 2024), one backbone for many codes.

One set of weights decodes any code (any n and m): nothing in the model is per position.
- Input [|L|, 1 - 2 s] over the n variable and m check nodes of the Tanner graph: a variable
  token is |L_i| times one shared d-vector, a check token is one of two shared d-vectors
  (satisfied / unsatisfied check).
- N pre-LN blocks (separate Q, K, V, O and FFN Linear layers, so issue 5 can prune heads and
  FFN channels and put LoRA on Q, K, V, O). Each block's attention scores are modulated by a
  learned function psi of the Tanner-graph distance matrix G (shortest path between the
  n + m nodes): scores = QK^T / sqrt(dh) * gain(G) + bias(G), one small MLP per block.
- ECCT's mid-stack and final LayerNorm, then the code-aware output of FECCT: for bit i,
  Linear(d, 1)(W_bit e_i + sum_j H_ji W_check e_j) (the bit's own token plus its checks'),
  the log-odds that the hard decision of L_i is right; soft output = sign(L) * logit.

The model keeps the graph (H, G) of every code it was built with (non-persistent buffers: the
state dict holds only the shared weights, so a checkpoint loads with any list of codes) and
decodes one code per call: forward(llr, code_index). export(code_index) bakes that code's H and
the per-block modulation into a TorchScript-able module.

Deviations from the paper, and why:
- Input is the canonical LLR L = 2y/sigma^2, not y (the receiver has only LLRs); |L| also carries
  the SNR.
- psi has two outputs, a multiplicative gain (the paper's modulation) and an additive bias
  (the bias lets a block shut out distant nodes the way ECCT's mask does; with the gain alone,
  far nodes keep a softmax weight of e^0 each, which dilutes attention on the larger codes).
  Measured: 800 steps on LDPC(49,24) + POLAR(64,32), N=2 d=32, same seed: final running loss
  0.092 (gain and bias) vs 0.103 (gain only); -ln(BER) on LDPC(49,24) at 6 dB 5.79 vs 5.12.
  psi is evaluated once on the distances 0..max_distance and looked up; distances beyond
  max_distance (and unreachable nodes) share the last entry (the bundled short codes have Tanner
  diameters 3..7). Its last layer starts at zero (gain 1, bias 0: plain attention) where the
  public code starts psi at random; like the public code, psi acts on the scores before softmax.
- Syndrome tokens use a 2-entry embedding (the public reference code reserves 5 entries).
- Sizes are small for CPU (see Config); the paper pretrains d=128, N=6 on 12 codes on GPUs.
"""
import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from channel import Batch, multiplicative_noise_target, soft_output


@dataclass
class Config:
    n_layers: int = 2        # N, transformer blocks (paper: 6)
    d_model: int = 32        # d, token size (paper: 128)
    n_heads: int = 8         # attention heads
    ff_mult: int = 4         # FFN width = ff_mult * d
    psi_hidden: int = 32     # hidden width of the distance -> (gain, bias) MLP (reference code: 50)
    max_distance: int = 8    # Tanner-graph distances are clamped here
    dropout: float = 0.0


def tanner_distance(H: np.ndarray, max_distance: int) -> torch.Tensor:
    """(n+m, n+m) shortest-path distances in the Tanner graph, clamped to max_distance.

    Nodes 0..n-1 are variables, n..n+m-1 checks; unreachable pairs get max_distance.
    """
    m, n = H.shape
    size = n + m
    adjacency = np.zeros((size, size), dtype=np.float32)
    adjacency[:n, n:] = H.T
    adjacency[n:, :n] = H
    distance = np.full((size, size), max_distance, dtype=np.int64)
    reached = np.eye(size, dtype=bool)
    frontier = reached.astype(np.float32)
    np.fill_diagonal(distance, 0)
    for step in range(1, max_distance):
        frontier_mask = ((frontier @ adjacency) > 0) & ~reached  # nodes first reached in `step` hops
        distance[frontier_mask] = step
        reached |= frontier_mask
        frontier = frontier_mask.astype(np.float32)
    return torch.from_numpy(distance)


class DistanceModulation(nn.Module):
    """psi: Tanner-graph distance -> (gain, bias) of the attention scores, one MLP per block."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(1, cfg.psi_hidden), nn.ReLU(), nn.Linear(cfg.psi_hidden, 2))
        nn.init.zeros_(self.mlp[2].weight)
        nn.init.zeros_(self.mlp[2].bias)  # starts as plain attention: gain 1, bias 0
        self.register_buffer("distances", torch.arange(cfg.max_distance + 1, dtype=torch.float32), persistent=False)

    def forward(self, distance: torch.Tensor) -> torch.Tensor:
        """distance (L, L) int64 -> (2, L, L): gain, bias."""
        table = self.mlp(self.distances.unsqueeze(-1))  # (D+1, 2)
        table = table + torch.tensor([1.0, 0.0], device=table.device)  # gain = 1 + mlp, bias = mlp
        return table[distance].permute(2, 0, 1)  # (2, L, L)


class Attention(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        assert cfg.d_model % cfg.n_heads == 0
        self.n_heads = cfg.n_heads  # pruning heads shrinks this together with q, k, v, o
        self.head_dim = cfg.d_model // cfg.n_heads
        inner = self.n_heads * self.head_dim
        self.q = nn.Linear(cfg.d_model, inner)
        self.k = nn.Linear(cfg.d_model, inner)
        self.v = nn.Linear(cfg.d_model, inner)
        self.o = nn.Linear(inner, cfg.d_model)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, modulation: torch.Tensor) -> torch.Tensor:
        """x (B, L, d), modulation (2, L, L) gain and bias -> (B, L, d)."""
        B, L, _ = x.shape
        q = self.q(x).view(B, L, self.n_heads, self.head_dim).transpose(1, 2)  # (B, h, L, dh)
        k = self.k(x).view(B, L, self.n_heads, self.head_dim).transpose(1, 2)  # (B, h, L, dh)
        v = self.v(x).view(B, L, self.n_heads, self.head_dim).transpose(1, 2)  # (B, h, L, dh)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, h, L, L)
        scores = scores * modulation[0] + modulation[1]  # (B, h, L, L) psi(G) gain and bias
        attn = self.dropout(F.softmax(scores, dim=-1))  # (B, h, L, L)
        out = (attn @ v).transpose(1, 2).reshape(B, L, self.n_heads * self.head_dim)  # (B, L, h*dh)
        return self.o(out)  # (B, L, d)


class FeedForward(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, cfg.ff_mult * cfg.d_model)  # pruning FFN channels removes rows here
        self.proj = nn.Linear(cfg.ff_mult * cfg.d_model, cfg.d_model)  # ... and the matching columns here
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(self.dropout(F.gelu(self.fc(x))))  # (B, L, d)


class Block(nn.Module):
    """Pre-LN: x + attn(LN(x)), then x + ffn(LN(x))."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.ln_attn = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln_ffn = nn.LayerNorm(cfg.d_model)
        self.ffn = FeedForward(cfg)
        self.psi = DistanceModulation(cfg)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, modulation: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attn(self.ln_attn(x), modulation))  # (B, L, d)
        return x + self.dropout(self.ffn(self.ln_ffn(x)))  # (B, L, d)


class FECCT(nn.Module):
    def __init__(self, cfg: Config, codes):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.magnitude_embedding = nn.Parameter(torch.empty(1, d))  # (1, d) times |L_i|
        self.syndrome_embedding = nn.Embedding(2, d)  # satisfied / unsatisfied check
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.ln_mid = nn.LayerNorm(d) if cfg.n_layers > 1 else nn.Identity()  # as the ECCT code
        self.ln_final = nn.LayerNorm(d)
        self.bit_head = nn.Linear(d, d)  # W_bit: the bit's own token
        self.check_head = nn.Linear(d, d)  # W_check: tokens of the checks the bit is in, summed through H^T
        self.to_logit = nn.Linear(d, 1)
        for name, p in self.named_parameters():
            if p.dim() > 1 and "psi" not in name and "syndrome_embedding" not in name:
                nn.init.xavier_uniform_(p)
        self.code_names = []
        for code in codes:
            self.add_code(code)

    def add_code(self, code) -> int:
        """Keeps code's graph (H and its Tanner distances) and returns its code_index."""
        index = len(self.code_names)
        device = self.magnitude_embedding.device
        self.register_buffer(f"H_{index}", torch.from_numpy(code.H).to(device, torch.float32), persistent=False)
        self.register_buffer(f"distance_{index}", tanner_distance(code.H, self.cfg.max_distance).to(device),
                             persistent=False)
        self.code_names.append(code.name)
        return index

    def modulation(self, code_index: int) -> torch.Tensor:
        """(N, 2, L, L) attention gain and bias of every block for one code."""
        distance = getattr(self, f"distance_{code_index}")
        return torch.stack([block.psi(distance) for block in self.blocks])

    @torch.jit.unused
    def forward(self, llr: torch.Tensor, code_index: int = 0) -> torch.Tensor:
        """llr (B, n) canonical LLRs of code `code_index` -> (B, n) logits of P(hard decision is right)."""
        return self.decode(llr, getattr(self, f"H_{code_index}"), self.modulation(code_index))

    def decode(self, llr: torch.Tensor, H: torch.Tensor, modulation: torch.Tensor) -> torch.Tensor:
        """The backbone on one code's graph: llr (B, n), H (m, n) float, modulation (N, 2, L, L) -> (B, n)."""
        n = llr.shape[1]
        syndrome = torch.remainder((llr < 0).float() @ H.t(), 2.0)  # (B, m) 0 = satisfied
        x = torch.cat([llr.abs().unsqueeze(-1) * self.magnitude_embedding,  # (B, n, d)
                       self.syndrome_embedding(syndrome.long())], dim=1)  # (B, m, d) -> (B, L, d)
        for index, block in enumerate(self.blocks):
            x = block(x, modulation[index])  # (B, L, d)
            if index + 1 == len(self.blocks) // 2:
                x = self.ln_mid(x)
        x = self.ln_final(x)  # (B, L, d)
        bits = self.bit_head(x[:, :n]) + H.t() @ self.check_head(x[:, n:])  # (B, n, d): (n, m) @ (B, m, d)
        return self.to_logit(bits).squeeze(-1)  # (B, n)

    def loss(self, batch: Batch, code_index: int = 0):
        """BCE on the multiplicative noise sign (1 = hard decision right); returns (loss, logits)."""
        logits = self(batch.llr, code_index)  # (B, n)
        return F.binary_cross_entropy_with_logits(logits, multiplicative_noise_target(batch.llr, batch.x)), logits

    def export(self, code_index: int = 0) -> nn.Module:
        return ExportedFECCT(self, code_index)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


class ExportedFECCT(nn.Module):
    """What the receiver runs for one code: llr (B, n) -> soft output sign(L) * logit (B, n), positive = bit 0.

    A snapshot: a copy of the backbone without the other codes' graphs, with this code's H and every
    block's psi(G) baked in as buffers (so a later change to the model does not leak in half-way).
    """

    def __init__(self, model: FECCT, code_index: int):
        super().__init__()
        with torch.no_grad():
            self.register_buffer("H", getattr(model, f"H_{code_index}").clone())
            self.register_buffer("modulation", model.modulation(code_index).clone())
        self.model = copy.deepcopy(model)  # also copies pruned or LoRA-wrapped layers as they are
        for index in range(len(self.model.code_names)):
            delattr(self.model, f"H_{index}")
            delattr(self.model, f"distance_{index}")
        self.model.code_names = []

    def forward(self, llr: torch.Tensor) -> torch.Tensor:
        return soft_output(llr, self.model.decode(llr, self.H, self.modulation))  # (B, n)


def build(cfg: Config, codes) -> FECCT:
    """One FECCT backbone holding every code's graph; code_index i decodes codes[i]."""
    return FECCT(cfg, codes)
