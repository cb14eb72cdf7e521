"""LoRA (Hu et al. 2022) on a frozen backbone: W' = W + (alpha / r) B A, A (r, in), B (out, r), B starts at 0.

SAP puts rank-8, alpha-16 adapters on every attention projection (Q, K, V, O) of the pruned FECCT and trains
only them; the adapters are saved on their own (adapter_state) and merged into W for inference (merge).
"""
import math

import torch
import torch.nn as nn

TARGETS = ("q", "k", "v", "o")


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))  # as nn.Linear initialises its weight
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    def merged(self) -> nn.Linear:
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scale * self.lora_b @ self.lora_a)
            if self.base.bias is not None:
                out.bias.copy_(self.base.bias)
        return out


def add_adapters(model: nn.Module, rank: int = 8, alpha: float = 16.0):
    """Freezes every parameter of the model and wraps each block's Q, K, V, O in a LoRALinear (trainable)."""
    for p in model.parameters():
        p.requires_grad_(False)
    for block in model.blocks:
        for name in TARGETS:
            setattr(block.attn, name, LoRALinear(getattr(block.attn, name), rank, alpha))
    return model


def adapter_state(model: nn.Module) -> dict:
    """The adapter tensors alone, named as in the model's state dict."""
    return {name: p.detach().clone() for name, p in model.named_parameters() if "lora_" in name}


def adapter_parameters(model: nn.Module) -> int:
    return sum(p.numel() for name, p in model.named_parameters() if "lora_" in name)


def merge(model: nn.Module):
    """Replaces every LoRALinear by a plain Linear with W + scale B A, in place. Returns the model."""
    for block in model.blocks:
        for name in TARGETS:
            layer = getattr(block.attn, name)
            if isinstance(layer, LoRALinear):
                setattr(block.attn, name, layer.merged())
    return model
