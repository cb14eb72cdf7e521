"""Structured pruning of FECCT: Fisher importance of heads and FFN channels, mask search under a FLOPs budget,
physical removal (Kwon et al. 2022, as the SAP paper applies it).

Importance of a unit u (one attention head or one FFN channel) on a calibration set:
  I_u = sum over frames b of (dL_b / dm_u)^2, with a mask variable m_u = 1 multiplying the unit's output,
the diagonal empirical Fisher of the mask. The mask variables are per frame (B, layers, units), so one backward
pass gives every frame's gradient. Mask search (Kwon et al. Algorithm 1): for each number h of kept heads, the
FLOPs left pay for f FFN channels; keep the h best heads and f best channels over all layers, and take the h with
the largest total importance. Kwon et al.'s mask rearrangement and least-squares mask tuning are left out: SAP
recovers with LoRA instead.

FLOPs are multiply-adds x 2 of one frame, per code (L = n + m tokens, d model width, dh head width):
  head:    4 L d dh (Q, K, V, O) + 2 L^2 dh (scores, attention x V) multiply-adds, + 2 L^2 (psi gain and bias)
  channel: 2 L d (fc row, proj column) multiply-adds
The rest of the model (embeddings, output head, syndrome) is fixed; the budget is (1 - reduction) x the whole
frame's FLOPs as torch's profiler counts them on the exported module.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from channel import multiplicative_noise_target, sample_code_batch


def unit_flops(model, n: int, m: int):
    """(FLOPs of one head, FLOPs of one FFN channel) of one frame of a code with n bits and m checks."""
    L, d = n + m, model.cfg.d_model
    dh = d // model.cfg.n_heads
    return 2 * (4 * L * d * dh + 2 * L * L * dh) + 2 * L * L, 2 * (2 * L * d)


class _UnitMasks:
    """Multiplies each head's output (before O) and each FFN channel (before proj) by a per-frame mask variable."""

    def __init__(self, model, frames: int):
        blocks = model.blocks
        self.heads = torch.ones(frames, len(blocks), blocks[0].attn.n_heads, requires_grad=True)
        self.ffn = torch.ones(frames, len(blocks), blocks[0].ffn.fc.out_features, requires_grad=True)
        self.handles = []
        for index, block in enumerate(blocks):
            self.handles.append(block.attn.o.register_forward_pre_hook(self._head_hook(index, block.attn.head_dim)))
            self.handles.append(block.ffn.proj.register_forward_pre_hook(self._ffn_hook(index)))

    def _head_hook(self, layer, head_dim):
        def hook(module, inputs):
            (x,) = inputs  # (B, L, h*dh)
            scale = self.heads[:, layer].repeat_interleave(head_dim, dim=1)  # (B, h*dh)
            return (x * scale.unsqueeze(1),)
        return hook

    def _ffn_hook(self, layer):
        def hook(module, inputs):
            (x,) = inputs  # (B, L, f)
            return (x * self.ffn[:, layer].unsqueeze(1),)
        return hook

    def remove(self):
        for handle in self.handles:
            handle.remove()


def fisher_importance(model, code_index: int, code, frames: int = 1024, batch: int = 256,
                      ebn0=(2.0, 7.0), seed: int = 0):
    """(heads (layers, h), ffn (layers, f)) Fisher importance on `frames` all-zero calibration frames."""
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    heads = ffn = 0.0
    for start in range(0, frames, batch):
        rows = min(batch, frames - start)
        data = sample_code_batch(code, rows, ebn0[0], ebn0[1], generator)
        masks = _UnitMasks(model, rows)
        try:
            logits = model(data.llr, code_index)  # (B, n)
            target = multiplicative_noise_target(data.llr, data.x)
            loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none").mean(dim=1).sum()  # sum of per-frame losses
            grad_heads, grad_ffn = torch.autograd.grad(loss, [masks.heads, masks.ffn])
        finally:
            masks.remove()
        heads = heads + grad_heads.pow(2).sum(dim=0)
        ffn = ffn + grad_ffn.pow(2).sum(dim=0)
    for p in model.parameters():
        p.requires_grad_(True)
    return heads.numpy(), ffn.numpy()


def search_mask(head_importance, ffn_importance, head_flops: float, ffn_flops: float, budget: float):
    """Kwon et al.'s mask search: boolean (layers, h) and (layers, f) keep-masks of the largest importance whose
    head and channel FLOPs fit `budget`."""
    head_order = np.argsort(-head_importance, axis=None)  # best first, over all layers
    ffn_order = np.argsort(-ffn_importance, axis=None)
    head_sorted = np.concatenate([[0.0], np.cumsum(head_importance.ravel()[head_order])])
    ffn_sorted = np.concatenate([[0.0], np.cumsum(ffn_importance.ravel()[ffn_order])])
    best = None
    for kept_heads in range(head_importance.size + 1):
        left = budget - kept_heads * head_flops
        if left < 0:
            break
        kept_ffn = min(ffn_importance.size, int(left // ffn_flops))
        score = head_sorted[kept_heads] + ffn_sorted[kept_ffn]
        if best is None or score > best[0]:
            best = (score, kept_heads, kept_ffn)
    if best is None:
        raise ValueError(f"budget {budget:.0f} FLOPs is below zero kept units")
    _, kept_heads, kept_ffn = best
    heads = np.zeros(head_importance.size, dtype=bool)
    heads[head_order[:kept_heads]] = True
    ffn = np.zeros(ffn_importance.size, dtype=bool)
    ffn[ffn_order[:kept_ffn]] = True
    return heads.reshape(head_importance.shape), ffn.reshape(ffn_importance.shape)


def prunable_flops(model, n: int, m: int) -> float:
    """FLOPs of the model's current heads and FFN channels for one frame."""
    head, channel = unit_flops(model, n, m)
    return sum(b.attn.n_heads * head + b.ffn.fc.out_features * channel for b in model.blocks)


def derive_mask(model, code_index: int, code, total_flops: float, reduction: float, frames: int = 1024, seed: int = 0):
    """Keep-masks (heads, ffn) of the unpruned model for one code under a (1 - reduction) x total_flops budget."""
    head_importance, ffn_importance = fisher_importance(model, code_index, code, frames=frames, seed=seed)
    head, channel = unit_flops(model, code.n, code.m)
    fixed = total_flops - prunable_flops(model, code.n, code.m)
    return search_mask(head_importance, ffn_importance, head, channel, (1.0 - reduction) * total_flops - fixed)


def _select_rows(linear: nn.Linear, rows) -> nn.Linear:
    out = nn.Linear(linear.in_features, len(rows), bias=linear.bias is not None)
    with torch.no_grad():
        out.weight.copy_(linear.weight[rows])
        if linear.bias is not None:
            out.bias.copy_(linear.bias[rows])
    return out


def _select_columns(linear: nn.Linear, columns) -> nn.Linear:
    out = nn.Linear(len(columns), linear.out_features, bias=linear.bias is not None)
    with torch.no_grad():
        out.weight.copy_(linear.weight[:, columns])
        if linear.bias is not None:
            out.bias.copy_(linear.bias)
    return out


def prune(model, heads, ffn):
    """Removes the heads and FFN channels whose keep-mask is False, in place (Q/K/V rows, O columns, fc rows,
    proj columns), so the pruned model is smaller and faster. Returns the model."""
    for block, keep_heads, keep_ffn in zip(model.blocks, np.asarray(heads, bool), np.asarray(ffn, bool)):
        attn, dh = block.attn, block.attn.head_dim
        rows = torch.tensor([h * dh + i for h in np.nonzero(keep_heads)[0] for i in range(dh)], dtype=torch.long)
        attn.q, attn.k, attn.v = (_select_rows(layer, rows) for layer in (attn.q, attn.k, attn.v))
        attn.o = _select_columns(attn.o, rows)
        attn.n_heads = int(keep_heads.sum())
        channels = torch.tensor(np.nonzero(keep_ffn)[0], dtype=torch.long)
        block.ffn.fc = _select_rows(block.ffn.fc, channels)
        block.ffn.proj = _select_columns(block.ffn.proj, channels)
    return model


def kept_counts(model):
    """([kept heads per layer], [kept FFN channels per layer])."""
    return [b.attn.n_heads for b in model.blocks], [b.ffn.fc.out_features for b in model.blocks]


def jaccard(a: dict, b: dict) -> float:
    """|A & B| / |A | B| of the kept units (heads and FFN channels) of two masks {"heads", "ffn"}."""
    units_a = np.concatenate([np.ravel(a["heads"]), np.ravel(a["ffn"])]).astype(bool)
    units_b = np.concatenate([np.ravel(b["heads"]), np.ravel(b["ffn"])]).astype(bool)
    union = (units_a | units_b).sum()
    return float((units_a & units_b).sum() / union) if union else 1.0
