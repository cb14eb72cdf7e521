"""AECCT: Accelerated ECCT (Levy et al., "Accelerating Error Correction Code Transformers"), one file.

Method (paper sections 4-6): ECCT with
  * HPSA, head partitioning self-attention: of the h heads, h_f "one-ring" heads pass messages only between
    neighbours of the Tanner graph (variable -> its checks with mask M_vc = H^T, check -> its variables with
    M_cv = H), the other h - h_f "two-ring" heads only between nodes two edges apart (variable -> variables
    sharing a check, M_vv = H^T H > 0; check -> checks sharing a variable, M_cc = H H^T > 0). Paper: h_f = h_s.
  * SPE, spectral positional encoding: Laplacian L = D - A of the Tanner graph (n + m nodes), all eigenpairs.
    Node j gets Phi_j = [(lambda_i, phi_i[j])]_i in R^{(n+m) x 2}; Q = K = V = W_{2->d_pe} Phi_j, multi-head
    self-attention over the n + m rows, mean pooling (one of the paper's reductions) -> SPE_j in R^{d_pe},
    concatenated to the node's (d - d_pe)-dim input embedding. Fixed after training (export stores it).
  * Post-LN blocks with ReLU feed-forward (the paper's phase-1 changes to ECCT).
  * AAP ternary quantisation (phase 2, quantize=True) of every linear layer inside the encoder blocks
    (Q, K, V, output projection, both FFN layers): gamma = Percentile(|W|, p), scale = gamma * delta + eps with a
    learnable delta (init 1), Ternary(W) = RoundClip(W / scale, -1, 1); activations Absmax-quantised to 8 bits,
    Quant(x) = RoundClip(x * Q_b / alpha, -Q_b, Q_b), Q_b = 127; y = Quant(x) Ternary(W) * scale alpha / Q_b + b.
    Rounding passes gradients straight through (STE). Phase 2 starts from the phase-1 weights (init_from).
  * export(): the ternary weights stay 2-bit packed (uint8, 4 per byte, code 0 -> 0, 1 -> +1, 2 -> -1) with their
    float scale; forward unpacks them with shifts and masks and runs the same 8-bit activation quantisation.

Deviations, and why:
  * Input is the canonical LLR L = 2y/sigma^2 instead of y (the receiver only has LLRs), as train/ecct.py.
  * N=2, d=32, minutes of CPU training instead of N=6, d=128 for 1000 epochs on a GPU (this project's machine).
  * Phase 1 peak LR 2e-3 (the paper's 1e-4 is for 1M steps); phase 2 is a shorter run from a lower peak
    (config files) instead of the paper's second full schedule.
  * alpha (activation absmax) is per token (per node of each frame), not per tensor as the public AECCT code: a
    per-tensor absmax would make one frame's output depend on the other frames of the batch.
  * p = 0.5 (the paper's equation; the public code uses 0.45).
  * Two-ring check heads use H H^T (checks sharing a variable) as the paper defines them; the public code's
    check-to-check mask is the diagonal only. Both two-ring masks keep the diagonal (a node attends to itself, as
    in ECCT's mask and the public code's M_vv), so no row is empty.
  * SPE attention runs over the eigen rows of Phi_j as equation (4) says (the public code attends across heads);
    eigenvectors by eigh with a fixed sign (first entry above 1e-6 positive) so the buffer is deterministic.
  * 8-bit activations and ternary weights are simulated in float: libtorch CPU has no int8 kernels for this, so the
    receiver runs at float speed; what the export saves is file size (see `pack`).

  /usr/bin/python3 train/aecct.py pack MODEL_DIR            # writes MODEL_DIR/model.ternary.safetensors, prints sizes
  /usr/bin/python3 train/aecct.py card MODEL_DIR FP_DIR     # appends ternary-vs-phase-1 and file sizes to CARD.md
"""
import copy
import math
import os
import sys
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from channel import Batch, multiplicative_noise_target, soft_output, syndrome_features  # noqa: E402

EPS = 1e-6


@dataclass
class Config:
    n: int = 0               # code length; build() fills n and m from the code
    m: int = 0               # rows of H
    n_layers: int = 2        # N (paper: 6 or 10)
    d_model: int = 32        # d (paper: 128)
    n_heads: int = 8         # h (paper: 8)
    one_ring_heads: int = 4  # h_f; the other h - h_f heads are two-ring (paper: h_f = h_s = 4)
    ff_mult: int = 4         # FFN width = ff_mult * d
    spe_dim: int = 8         # d_pe, SPE width inside d (public code: 8)
    spe_heads: int = 2       # heads of the SPE attention over eigen rows (not in the paper)
    quantize: bool = False   # phase 2: AAP ternary weights + 8-bit activations in the encoder blocks
    percentile: float = 0.5  # p of gamma = Percentile(|W|, p)
    act_bits: int = 8        # activation bits (Q_b = 2^(bits-1) - 1)
    init_from: str = ""      # phase 2: phase-1 checkpoint (out_dir/ckpt.pt) whose weights it starts from


# ---- masks and spectral encoding of the Tanner graph ----

def hpsa_masks(H: torch.Tensor):
    """(M_vc (n, m), M_cv (m, n), M_vv (n, n), M_cc (m, m)) bool, True where attention is allowed."""
    Hb = (H > 0).float()  # (m, n)
    m, n = Hb.shape
    vv = ((Hb.t() @ Hb) > 0) | torch.eye(n, dtype=torch.bool)  # (n, n) variables sharing a check, and self
    cc = ((Hb @ Hb.t()) > 0) | torch.eye(m, dtype=torch.bool)  # (m, m) checks sharing a variable, and self
    return Hb.t() > 0, Hb > 0, vv, cc


def laplacian_eigen(H: torch.Tensor) -> torch.Tensor:
    """(n+m, n+m, 2): row [j, i] = (lambda_i, phi_i[j]) of the Tanner graph Laplacian, eigenvalues ascending."""
    Hb = (H > 0).double()  # (m, n)
    m, n = Hb.shape
    A = torch.zeros(n + m, n + m, dtype=torch.float64)
    A[:n, n:], A[n:, :n] = Hb.t(), Hb  # bipartite adjacency, variables first
    lam, phi = torch.linalg.eigh(torch.diag(A.sum(1)) - A)  # (L,), (L, L) columns are eigenvectors
    first = (phi.abs() > 1e-6).double().argmax(0)  # (L,) first clearly nonzero entry of each eigenvector
    phi = phi * torch.sign(phi.gather(0, first.unsqueeze(0)))  # fix the sign eigh leaves free
    return torch.stack([lam.unsqueeze(0).expand(n + m, -1), phi], dim=-1).float()  # (L nodes, L eigen, 2)


class SpectralPE(nn.Module):
    """SPE_j = mean_i MHSA(Q = K = V = W_{2->d_pe} Phi_j)_i, for every node j at once -> (L, d_pe)."""

    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__()
        assert cfg.spe_dim % cfg.spe_heads == 0
        self.heads = cfg.spe_heads
        self.register_buffer("eigen", laplacian_eigen(H))  # (L, L, 2)
        self.proj = nn.Linear(2, cfg.spe_dim)

    def forward(self):
        x = self.proj(self.eigen)  # (L, Le, d_pe)
        L, Le, d = x.shape
        x = x.view(L, Le, self.heads, d // self.heads).transpose(1, 2)  # (L, h, Le, dh)
        attn = F.softmax(x @ x.transpose(-2, -1) / math.sqrt(x.size(-1)), dim=-1)  # (L, h, Le, Le)
        return (attn @ x).transpose(1, 2).reshape(L, Le, d).mean(1)  # (L, d_pe)


# ---- AAP quantisation ----

def quantize_activations(x, bits: int, training: bool, eps: float = EPS):
    """Absmax per token: (integer-valued q (.., d), scale Q_b / alpha (.., 1)); STE when training."""
    qb = float(2 ** (bits - 1) - 1)
    scale = qb / x.abs().amax(dim=-1, keepdim=True).clamp_min(eps)  # (.., 1)
    xs = x * scale
    q = torch.round(xs).clamp(-qb, qb)
    if training:
        q = xs + (q - xs).detach()
    return q, scale


def ternary(weight, delta, percentile: float, training: bool):
    """AAP: (Ternary(W) in {-1, 0, 1} (out, in), scale gamma * delta + eps (1,)); STE when training."""
    gamma = torch.quantile(weight.abs().flatten(), percentile)
    scale = gamma * delta + EPS  # (1,)
    ws = weight / scale
    t = torch.round(ws)
    if training:
        t = ws + (t - ws).detach()
    return t.clamp(-1.0, 1.0), scale


def aap_matmul(q, scale_x, t, scale_w, bias):
    """Quant(x) Ternary(W) * scale_w / scale_x + b: the integer product, dequantised before the bias."""
    return F.linear(q, t) * (scale_w / scale_x) + bias


class AAPLinear(nn.Linear):
    """Quantisation-aware linear (phase 2): float latent weights, ternary + 8-bit in the forward pass."""

    def __init__(self, d_in, d_out, cfg: Config):
        super().__init__(d_in, d_out)
        self.delta = nn.Parameter(torch.ones(1))
        self.percentile, self.act_bits = cfg.percentile, cfg.act_bits

    def forward(self, x):
        q, scale_x = quantize_activations(x, self.act_bits, self.training)
        t, scale_w = ternary(self.weight, self.delta, self.percentile, self.training)
        return aap_matmul(q, scale_x, t, scale_w, self.bias)


class PackedLinear(nn.Module):
    """Inference AAPLinear: ternary weights 2-bit packed (uint8, 4 per byte), unpacked in forward."""

    def __init__(self, layer: AAPLinear):
        super().__init__()
        with torch.no_grad():
            t, scale = ternary(layer.weight, layer.delta, layer.percentile, False)
        self.d_out, self.d_in = t.shape
        self.act_bits = layer.act_bits
        self.register_buffer("packed", pack_ternary(t))  # (ceil(out * in / 4),) uint8
        self.register_buffer("scale", scale.detach().clone())  # (1,)
        self.register_buffer("bias", layer.bias.detach().clone())  # (out,)
        self.register_buffer("places", torch.tensor([1, 4, 16, 64], dtype=torch.int32), persistent=False)

    def forward(self, x):
        # division and remainder, not >> and &: the ONNX exporter takes no bitwise ops on integers
        codes = torch.remainder(torch.div(self.packed.to(torch.int32).unsqueeze(-1), self.places, rounding_mode="floor"), 4)  # (P, 4) two-bit codes
        codes = codes.flatten()[: self.d_out * self.d_in].view(self.d_out, self.d_in)  # (out, in)
        t = (codes == 1).float() - (codes == 2).float()  # (out, in) in {-1, 0, 1}
        q, scale_x = quantize_activations(x, self.act_bits, False)
        return aap_matmul(q, scale_x, t, self.scale, self.bias)


def pack_ternary(t: torch.Tensor) -> torch.Tensor:
    """{-1, 0, 1} tensor -> uint8 with 4 weights per byte, row-major, low bits first (0 -> 0, 1 -> 1, -1 -> 2)."""
    codes = torch.where(t < 0, torch.full_like(t, 2), t).flatten().to(torch.uint8)
    codes = torch.cat([codes, codes.new_zeros(-codes.numel() % 4)]).view(-1, 4)  # (P, 4)
    return codes[:, 0] | (codes[:, 1] << 2) | (codes[:, 2] << 4) | (codes[:, 3] << 6)


def unpack_ternary(packed: torch.Tensor, shape) -> torch.Tensor:
    codes = ((packed.unsqueeze(-1) >> torch.tensor([0, 2, 4, 6], dtype=torch.uint8)) & 3).flatten()
    return ((codes == 1).float() - (codes == 2).float())[: shape[0] * shape[1]].view(shape)


def linear(d_in, d_out, cfg: Config) -> nn.Module:
    return AAPLinear(d_in, d_out, cfg) if cfg.quantize else nn.Linear(d_in, d_out)


# ---- the transformer ----

def attend(q, k, v, allowed, scale: float):
    """Masked softmax attention (B, h, Lq, dh) x (B, h, Lk, dh) -> (B, h, Lq, dh); allowed (Lq, Lk); scale 1/sqrt(dh)."""
    scores = ((q @ k.transpose(-2, -1)) * scale).masked_fill(~allowed, float("-inf"))
    return F.softmax(scores, dim=-1) @ v


class HPSA(nn.Module):
    """Heads [0, h_f) are one-ring (v <-> c), heads [h_f, h) two-ring (v <-> v, c <-> c)."""

    def __init__(self, cfg: Config):
        super().__init__()
        assert cfg.d_model % cfg.n_heads == 0 and 0 < cfg.one_ring_heads < cfg.n_heads
        self.h, self.h_f, self.n = cfg.n_heads, cfg.one_ring_heads, cfg.n
        self.scale = 1.0 / math.sqrt(cfg.d_model // cfg.n_heads)  # a float constant (a scripted sqrt of a size exports as an int64 Sqrt)
        self.q = linear(cfg.d_model, cfg.d_model, cfg)
        self.k = linear(cfg.d_model, cfg.d_model, cfg)
        self.v = linear(cfg.d_model, cfg.d_model, cfg)
        self.o = linear(cfg.d_model, cfg.d_model, cfg)

    def forward(self, x, vc, cv, vv, cc):
        B, L, d = x.shape
        q = self.q(x).view(B, L, self.h, d // self.h).transpose(1, 2)  # (B, h, L, dh)
        k = self.k(x).view(B, L, self.h, d // self.h).transpose(1, 2)  # (B, h, L, dh)
        v = self.v(x).view(B, L, self.h, d // self.h).transpose(1, 2)  # (B, h, L, dh)
        n, f = self.n, self.h_f  # nodes [0, n) are variables, [n, L) checks
        one_v = attend(q[:, :f, :n], k[:, :f, n:], v[:, :f, n:], vc, self.scale)  # (B, h_f, n, dh) variables <- checks
        one_c = attend(q[:, :f, n:], k[:, :f, :n], v[:, :f, :n], cv, self.scale)  # (B, h_f, m, dh) checks <- variables
        two_v = attend(q[:, f:, :n], k[:, f:, :n], v[:, f:, :n], vv, self.scale)  # (B, h_s, n, dh) variables <- variables
        two_c = attend(q[:, f:, n:], k[:, f:, n:], v[:, f:, n:], cc, self.scale)  # (B, h_s, m, dh) checks <- checks
        out = torch.cat([torch.cat([one_v, one_c], 2), torch.cat([two_v, two_c], 2)], 1)  # (B, h, L, dh)
        return self.o(out.transpose(1, 2).reshape(B, L, d))  # (B, L, d)


class FeedForward(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.fc = linear(cfg.d_model, cfg.ff_mult * cfg.d_model, cfg)
        self.out = linear(cfg.ff_mult * cfg.d_model, cfg.d_model, cfg)

    def forward(self, x):
        return self.out(F.relu(self.fc(x)))  # (B, L, d)


class Block(nn.Module):
    """Post-LN: x = LN(x + attn(x)), x = LN(x + ff(x))."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.attn, self.ln_attn = HPSA(cfg), nn.LayerNorm(cfg.d_model)
        self.ff, self.ln_ff = FeedForward(cfg), nn.LayerNorm(cfg.d_model)

    def forward(self, x, vc, cv, vv, cc):
        x = self.ln_attn(x + self.attn(x, vc, cv, vv, cc))  # (B, L, d)
        return self.ln_ff(x + self.ff(x))  # (B, L, d)


class Body(nn.Module):
    """Everything but the SPE computation: embedding (with a given SPE), blocks, output projections."""

    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__()
        L = cfg.n + cfg.m
        self.register_buffer("H", (H > 0).float())  # (m, n)
        vc, cv, vv, cc = hpsa_masks(H)
        self.register_buffer("vc", vc)
        self.register_buffer("cv", cv)
        self.register_buffer("vv", vv)
        self.register_buffer("cc", cc)
        self.position_embedding = nn.Parameter(torch.empty(L, cfg.d_model - cfg.spe_dim))  # (L, d - d_pe)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.ln_mid = nn.LayerNorm(cfg.d_model) if cfg.n_layers > 1 else nn.Identity()  # as ECCT and AECCT's code
        self.ln_final = nn.LayerNorm(cfg.d_model)
        self.to_scalar = nn.Linear(cfg.d_model, 1)  # W_{d->1}
        self.to_bits = nn.Linear(L, cfg.n)  # W_o: (n+m) -> n

    def forward(self, llr, spe):
        features = syndrome_features(llr, self.H)  # (B, L)
        x = self.position_embedding.unsqueeze(0) * features.unsqueeze(-1)  # (B, L, d - d_pe)
        x = torch.cat([x, spe.unsqueeze(0).expand(x.size(0), -1, -1)], dim=-1)  # (B, L, d)
        for index, block in enumerate(self.blocks, start=1):
            x = block(x, self.vc, self.cv, self.vv, self.cc)  # (B, L, d)
            if index == len(self.blocks) // 2:
                x = self.ln_mid(x)
        x = self.to_scalar(self.ln_final(x)).squeeze(-1)  # (B, L)
        return self.to_bits(x)  # (B, n)


class AECCT(nn.Module):
    def __init__(self, cfg: Config, H: torch.Tensor):
        super().__init__()
        assert tuple(H.shape) == (cfg.m, cfg.n), f"H is {tuple(H.shape)}, config says ({cfg.m}, {cfg.n})"
        assert (H > 0).any(0).all() and (H > 0).any(1).all(), "one-ring rows need every node to have a neighbour"
        self.cfg = cfg
        self.body = Body(cfg, H)
        self.spe = SpectralPE(cfg, H)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, llr, code_index: int = 0):
        """llr (B, n) canonical LLRs -> (B, n) logits of P(hard decision of llr is right)."""
        return self.body(llr, self.spe())

    def loss(self, batch: Batch, code_index: int = 0):
        logits = self(batch.llr)  # (B, n)
        return F.binary_cross_entropy_with_logits(logits, multiplicative_noise_target(batch.llr, batch.x)), logits

    def export(self, code_index: int = 0) -> nn.Module:
        """SPE frozen into a buffer; AAP layers replaced by 2-bit packed ones (quantize=True)."""
        return Exported(self)


class Exported(nn.Module):
    """What the receiver runs: canonical LLR (B, n) -> sign(L) * logit (B, n), positive = bit 0."""

    def __init__(self, model: AECCT):
        super().__init__()
        self.body = copy.deepcopy(model.body).eval()
        swap_packed(self.body)
        with torch.no_grad():
            self.register_buffer("spe", model.spe().detach().clone())  # (L, d_pe)

    def forward(self, llr):
        return soft_output(llr, self.body(llr, self.spe))  # (B, n)


def swap_packed(module: nn.Module):
    for name, child in module.named_children():
        if isinstance(child, AAPLinear):
            setattr(module, name, PackedLinear(child))
        else:
            swap_packed(child)


def build(cfg: Config, codes) -> AECCT:
    """AECCT for codes[0]; with init_from, the phase-1 weights (AAP deltas start at 1)."""
    code = codes[0]
    cfg.n, cfg.m = code.n, code.m
    model = AECCT(cfg, torch.from_numpy(code.H).float())
    if cfg.init_from:
        ckpt = torch.load(cfg.init_from, map_location="cpu")
        for key in ("n_layers", "d_model", "n_heads", "one_ring_heads", "ff_mult", "spe_dim", "spe_heads"):
            assert ckpt["model_cfg"][key] == getattr(cfg, key), f"{cfg.init_from}: {key} differs"
        missing, unexpected = model.load_state_dict(ckpt["model"], strict=False)
        assert not unexpected and all(key.endswith(".delta") for key in missing), (missing, unexpected)
        print(f"phase 2 from {cfg.init_from} (step {ckpt['step']}); new: {len(missing)} AAP deltas")
    return model


# ---- packed weight file and card section ----

def load_model(folder: str) -> AECCT:
    """The model of an exported folder, from manifest.json and model.safetensors (no checkpoint needed)."""
    import json
    from codes import load_code
    from export import load_safetensors
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    cfg = Config(**dict(manifest["config"], init_from=""))
    model = build(cfg, [load_code(manifest["codes"][0]["code"])])
    model.load_state_dict(load_safetensors(os.path.join(folder, "model.safetensors")))
    return model.eval()


def pack(folder: str) -> list:
    """Writes folder/model.ternary.safetensors (the export module's tensors: packed uint8 weights, their scales,
    the unquantised rest) and returns the size rows measured on the files."""
    from export import save_safetensors
    model = load_model(folder)
    assert model.cfg.quantize, f"{folder} is a full-precision model: nothing to pack"
    exported = model.export()
    path = os.path.join(folder, "model.ternary.safetensors")
    save_safetensors(exported.state_dict(), path, {"format": "receiver-aecct-ternary/1",
                                                   "packing": "4 weights per byte, low bits first, 0->0 1->+1 2->-1"})
    state = exported.state_dict()
    packed = [k for k in state if k.endswith(".packed")]
    weights = sum(m.d_out * m.d_in for m in exported.modules() if isinstance(m, PackedLinear))
    zeros = sum(int((unpack_ternary(state[k], (m.d_out, m.d_in)) == 0).sum())
                for k, m in zip(packed, (m for m in exported.modules() if isinstance(m, PackedLinear))))
    size = lambda name: os.path.getsize(os.path.join(folder, name))  # noqa: E731
    code = model_code_name(folder)
    return [("model.safetensors (fp32 latent weights, as export.py writes it)", size("model.safetensors")),
            ("model.ternary.safetensors (2-bit packed + scales + unquantised tensors)", size("model.ternary.safetensors")),
            (f"{code}.pt (TorchScript, packed)", size(f"{code}.pt")),
            ("quantised weights as fp32 (bytes)", 4 * weights),
            ("quantised weights packed (bytes)", sum(state[k].numel() for k in packed)),
            ("quantised weights equal to 0 (AAP sparsity, %)", round(100.0 * zeros / weights, 1))]


def model_code_name(folder):
    import json
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)["codes"][0]["code"]


def card_section(folder: str, fp_folder: str) -> str:
    """Markdown: -ln(BER) ternary vs phase 1 from both folders' eval files, and the file sizes with the ratios."""
    from card import read_rows
    from export import save_safetensors
    rows = {}
    for name, path in (("ternary (phase 2)", folder), ("full precision (phase 1)", fp_folder)):
        files = [os.path.join(path, "eval", f) for f in sorted(os.listdir(os.path.join(path, "eval")))]
        rows[name] = {r["ebn0_db"]: r for r in read_rows(files) if r["decoder"] == "aecct"}
    sizes = dict(pack(folder))
    fp_pt = os.path.getsize(os.path.join(fp_folder, f"{model_code_name(fp_folder)}.pt"))
    fp_state = os.path.join(folder, "eval", "phase1-export.safetensors.tmp")  # measured, then removed
    save_safetensors(load_model(fp_folder).export().state_dict(), fp_state)
    fp_bytes = os.path.getsize(fp_state)
    os.remove(fp_state)
    lines = ["\n## Ternary (phase 2) vs full precision (phase 1)\n",
             f"Printed by `/usr/bin/python3 train/aecct.py card {folder} {fp_folder}` from both folders' eval files",
             "(the `./receiver eval` rows above) and the sizes of the files on disk.\n",
             "| model | " + " | ".join(f"{p:g} dB" for p in (4, 5, 6)) + " |", "|---|---|---|---|"]
    for name, cells in rows.items():
        lines.append(f"| {name} | " + " | ".join(
            f"{cells[p]['neg_ln_ber']:.2f} ({cells[p]['frame_errors']}/{cells[p]['frames']})" if p in cells else "-"
            for p in (4, 5, 6)) + " |")
    lines += ["", "| file or tensors | bytes |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in sizes.items()]
    lines.append(f"| {model_code_name(fp_folder)}.pt of {fp_folder} (TorchScript, fp32) | {fp_pt} |")
    lines.append(f"| the same tensors as model.ternary.safetensors, from {fp_folder}'s export in fp32 | {fp_bytes} |")
    names = list(sizes)
    lines += ["", f"Compression ratios measured on the files: model.safetensors / model.ternary.safetensors = "
              f"{sizes[names[0]] / sizes[names[1]]:.2f}x (model.safetensors also holds the training-only Laplacian "
              f"eigen buffer the export replaces by the SPE); like for like (the receiver's tensors, phase 1 fp32 vs "
              f"ternary packed) {fp_bytes / sizes[names[1]]:.2f}x; phase-1 .pt / ternary .pt = {fp_pt / sizes[names[2]]:.2f}x; "
              f"quantised layers alone {sizes[names[3]] / sizes[names[4]]:.1f}x. At d=32 the unquantised tensors "
              "(input embedding, SPE, LayerNorms, biases, the (n+m)->n output layer, masks, H) dominate the packed file.",
              "The receiver's TorchScript unpacks the weights in every forward; activations are 8-bit fake-quantised in "
              "float (no int8 kernels in libtorch CPU), so decoding runs at float speed."]
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) == 2 and argv[0] == "pack":
        for name, value in pack(argv[1]):
            print(f"{value:>10}  {name}")
        return
    if len(argv) == 3 and argv[0] == "card":
        path = os.path.join(argv[1], "CARD.md")
        with open(path) as f:
            text = f.read().split("\n## Ternary (phase 2) vs full precision (phase 1)\n")[0].rstrip("\n") + "\n"
        section = card_section(argv[1], argv[2])
        with open(path, "w") as f:
            f.write(text + section)
        print(section)
        return
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
