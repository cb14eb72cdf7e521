"""UECCT: the unified error correction code transformer (Yan et al., "Unified Error Correction Code Transformer
with Low Complexity"), one set of weights for several codes of different lengths.

  /usr/bin/python3 train/uecct.py cost models/uecct-mix    # attention cost vs ECCT, appended to the model's CARD.md

The paper's method, as built here:
- Standardisation unit (eq. 18): the input [|L|, s(L)] of a code (n, m) is zero-padded to [|L|, 0, s, 0] of length
  N = n_max + m_max, the largest n and m of the code mix, so every code uses the same positions and weights: variable i
  sits at position i, check j at n_max + j. s is the {0,1} syndrome of the hard decision (eq. 7).
- Embedding diag(x) W (eq. 1, as ECCT): each position has a learned d-vector scaled by its input value.
- L pre-LN blocks (eq. 5) whose attention is the sparse masked unified attention (eq. 12, Algorithm 1):
  UniAttn = Softmax(A_l + M(H_bar)) (V_l^T X), then W^O; A_l and V_l (N x d_l) are learned memories, shared by all
  heads and all codes, with d_l = m_max (the paper: d_l = n - k, the largest syndrome length of the mix).
  M is 0 where H_bar = [H^T; I_m] (Algorithm 2) has a one and -inf elsewhere: variable i reads memory slot j only if
  it is in check j, check j reads slot j only. Per code the mask is H_bar zero-padded to (N, d_l).
- ECCT's mid-stack and final LayerNorm, then the output module: Linear(d, 1) to one value per position, and
  Linear(N, n_max) to the n bit logits (log-odds that the hard decision of L is right), BCE on the multiplicative
  noise sign (eq. 17). Soft output = sign(L) * logit.

Since A_l and V_l are shared by all heads and the map X -> A (V^T X) is linear, H heads over slices of d give the same
result as one map over all of d: the code computes it once (the number of heads does not change the function, so it
is not a parameter). No Q, K or V projection exists (Algorithm 1: V_l^T X acts on X itself).

The paper zero-pads and lets the padded parts be skipped (ASIC note after eq. 18). Here the padded positions are
isolated exactly, so a code's output never depends on them: padded positions write nothing into the memory (their
rows of V_l are zeroed), their values are zeroed before Linear(N, n_max), and they read nothing a real position
needs (padded rows of the mask, all -inf in H_bar, are opened only to keep the softmax finite; their result is
dropped). So the padded network computes exactly what the same weights restricted to the code's own n + m
positions and m slots compute: export(code_index) bakes that restriction (the code's rows of the embedding, A_l,
V_l and its columns of Linear(N, n_max)) into a TorchScript module taking the code's own (B, n) LLRs; the padding is
implicit there, and the test checks export == padded eager. Softmax(A_l + M) does not depend on the input, so the
export stores it as a constant (n + m, m) matrix per block: inference has no softmax at all.

Deviations from the paper, and why:
- Input is the canonical LLR L = 2y/sigma^2, not y (the receiver has only LLRs); |L| also carries the SNR.
- Padded positions are isolated as above, where the paper feeds zeros and leaves the zero tokens in the dense
  V_l^T X (after the first block's LayerNorm and FFN biases they are no longer zero). Isolation makes the output
  independent of what sits in the padded slots and lets the export skip them, as the paper's ASIC note intends.
- H_bar uses all m rows of H (redundant rows included, as the codes' files give them): N = n + m, not 2n - k.
- FFN with GELU, as the ECCT code this builds on (the paper's background eq. 4 writes ReLU).
- Sizes are small for CPU: N=2, d=32 (paper: L=6, H=8, d_k=64 per head, d_f = 4 H d_k, 1000 x 1000 steps of 512).
- sparse_values (off by default, the paper's eq. 12 masks only A_l): masks V_l with H_bar too, so slot j gathers
  only from check j's variables and itself (what the paper's O(N d_l d_k H_d) count would need for both products).
  Measured, 3 min each side by side on the config below (748 / 785 steps, 4000 frames per point): the paper's
  dense V_l is better, -ln(BER) at 6 dB BCH(31,16) 4.41 vs 4.16, LDPC(49,24) 4.08 vs 3.81, polar 3.78 vs 3.78;
  final running loss 0.108 vs 0.115. Kept as an option for the cost table's masked count.
"""
import copy
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from channel import Batch, multiplicative_noise_target, soft_output  # noqa: E402
from ecct import FeedForward  # noqa: E402  (same FFN: d -> ff_mult d -> d, GELU)


@dataclass
class Config:
    n_max: int = 0                # padded code length; build() fills it from the codes (or checks they fit)
    m_max: int = 0                # padded syndrome length = d_l, the memory size of A_l and V_l
    n_layers: int = 2             # L, transformer blocks (paper: 6)
    d_model: int = 32             # d = H d_k (paper: 8 x 64)
    ff_mult: int = 4              # FFN width = ff_mult * d (paper: 4)
    sparse_values: bool = False   # also mask V_l with H_bar (see the docstring)
    dropout: float = 0.0


def extended_parity_check(H: torch.Tensor) -> torch.Tensor:
    """H_bar = [H^T; I_m] (n + m, m) bool (eq. 14, Algorithm 2): where the unified attention may look."""
    m, n = H.shape
    return torch.cat([H.t() > 0, torch.eye(m, dtype=torch.bool)], dim=0)  # (n + m, m)


def padded_layout(H: torch.Tensor, n_max: int, m_max: int):
    """(allowed (N, m_max) bool, positions (n + m,) long) of one code in the standardised layout, N = n_max + m_max.

    allowed is H_bar zero-padded: rows 0..n-1 the variables, rows n_max..n_max+m-1 the checks, columns 0..m-1.
    positions are the rows the code occupies (its variables, then its checks)."""
    m, n = H.shape
    assert n <= n_max and m <= m_max, f"code (n={n}, m={m}) does not fit the padding ({n_max}, {m_max})"
    positions = torch.cat([torch.arange(n), n_max + torch.arange(m)])  # (n + m,)
    allowed = torch.zeros(n_max + m_max, m_max, dtype=torch.bool)
    allowed[positions, :m] = extended_parity_check(H)
    return allowed, positions


class UnifiedAttention(nn.Module):
    """W^O (Softmax(A_l + M) (V_l^T X)): learned memories A_l, V_l (N, d_l), one attention map for all heads."""

    def __init__(self, cfg: Config):
        super().__init__()
        size = cfg.n_max + cfg.m_max
        self.A = nn.Parameter(torch.empty(size, cfg.m_max))  # (N, d_l) attention memory
        self.V = nn.Parameter(torch.empty(size, cfg.m_max))  # (N, d_l) value memory
        self.o = nn.Linear(cfg.d_model, cfg.d_model)  # W^O
        self.dropout = nn.Dropout(cfg.dropout)

    def maps(self, allowed: torch.Tensor, writes: torch.Tensor):
        """Input-independent (attention (N, d_l), values (N, d_l)) for one code's mask.

        allowed (N, d_l) bool: H_bar padded, with rows that allow nothing (padded positions) opened to keep the
        softmax finite. writes (N, d_l) float: 1 where a position's row of V_l may write into a slot."""
        attention = F.softmax(self.A.masked_fill(~allowed, float("-inf")), dim=-1)  # (N, d_l)
        return attention, self.V * writes  # (N, d_l), (N, d_l)

    def forward(self, x: torch.Tensor, attention: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """x (B, L, d), attention and values (L, D) -> (B, L, d)."""
        memory = values.t() @ x  # (D, L) @ (B, L, d) -> (B, D, d): V_l^T X
        out = self.dropout(attention) @ memory  # (L, D) @ (B, D, d) -> (B, L, d)
        return self.o(out)  # (B, L, d)


class Block(nn.Module):
    """Pre-LN: x + uniattn(LN(x)), then x + ffn(LN(x))."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.ln_attn = nn.LayerNorm(cfg.d_model)
        self.attn = UnifiedAttention(cfg)
        self.ln_ffn = nn.LayerNorm(cfg.d_model)
        self.ffn = FeedForward(cfg)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, attention: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attn(self.ln_attn(x), attention, values))  # (B, L, d)
        return x + self.dropout(self.ffn(self.ln_ffn(x)))  # (B, L, d)


class UECCT(nn.Module):
    def __init__(self, cfg: Config, codes):
        super().__init__()
        self.cfg = cfg
        size = cfg.n_max + cfg.m_max
        self.embedding = nn.Parameter(torch.empty(size, cfg.d_model))  # (N, d): diag(x) W
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.ln_mid = nn.LayerNorm(cfg.d_model) if cfg.n_layers > 1 else nn.Identity()  # as the ECCT code
        self.ln_final = nn.LayerNorm(cfg.d_model)
        self.to_scalar = nn.Linear(cfg.d_model, 1)  # the output module's first layer: d -> 1 per position
        self.to_bits = nn.Linear(size, cfg.n_max)  # ... and its second: N -> n_max (the code's first n are used)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        self.code_names = []
        for code in codes:
            self.add_code(code)

    def add_code(self, code) -> int:
        """Keeps the code's H and padded mask (non-persistent: the state dict holds only shared weights)."""
        index = len(self.code_names)
        device = self.embedding.device
        H = torch.from_numpy(code.H).float()
        allowed, positions = padded_layout(H, self.cfg.n_max, self.cfg.m_max)
        real = torch.zeros(allowed.shape[0], dtype=torch.bool)
        real[positions] = True
        writes = allowed if self.cfg.sparse_values else real.unsqueeze(1).expand_as(allowed)
        for name, tensor in (("H", H), ("allowed", allowed | ~real.unsqueeze(1)), ("writes", writes.float()),
                             ("real", real.float()), ("positions", positions)):
            self.register_buffer(f"{name}_{index}", tensor.to(device), persistent=False)
        self.code_names.append(code.name)
        return index

    def maps(self, code_index: int):
        """(attention, values), each (N_layers, N, d_l), of every block for one code."""
        allowed, writes = getattr(self, f"allowed_{code_index}"), getattr(self, f"writes_{code_index}")
        pairs = [block.attn.maps(allowed, writes) for block in self.blocks]
        return torch.stack([a for a, _ in pairs]), torch.stack([v for _, v in pairs])

    def standardise(self, llr: torch.Tensor, code_index: int) -> torch.Tensor:
        """The standardisation unit (eq. 18): llr (B, n) -> [|L|, 0_c, s, 0_s] (B, n_max + m_max)."""
        H = getattr(self, f"H_{code_index}")
        syndrome = torch.remainder((llr < 0).float() @ H.t(), 2.0)  # (B, m) in {0, 1}
        return torch.cat([F.pad(llr.abs(), (0, self.cfg.n_max - llr.shape[1])),
                          F.pad(syndrome, (0, self.cfg.m_max - H.shape[0]))], dim=1)

    @torch.jit.unused
    def forward(self, llr: torch.Tensor, code_index: int = 0) -> torch.Tensor:
        """llr (B, n) canonical LLRs of code `code_index` -> (B, n) logits of P(hard decision is right)."""
        return self.decode_padded(self.standardise(llr, code_index), code_index)[:, :llr.shape[1]]

    @torch.jit.unused
    def decode_padded(self, features: torch.Tensor, code_index: int) -> torch.Tensor:
        """features (B, N) in the standardised layout -> (B, n_max) logits; only the code's first n are its bits."""
        attention, values = self.maps(code_index)
        readout = self.to_bits.weight * getattr(self, f"real_{code_index}")  # (n_max, N): padded positions dropped
        return self.decode(features, self.embedding, attention, values, readout, self.to_bits.bias)

    def decode(self, features: torch.Tensor, embedding: torch.Tensor, attention: torch.Tensor, values: torch.Tensor,
               readout: torch.Tensor, readout_bias: torch.Tensor) -> torch.Tensor:
        """features (B, L), embedding (L, d), attention and values (N_layers, L, D), readout (n, L) -> (B, n)."""
        x = embedding.unsqueeze(0) * features.unsqueeze(-1)  # (B, L, d)
        for index, block in enumerate(self.blocks):
            x = block(x, attention[index], values[index])  # (B, L, d)
            if index + 1 == len(self.blocks) // 2:
                x = self.ln_mid(x)
        x = self.to_scalar(self.ln_final(x)).squeeze(-1)  # (B, L)
        return F.linear(x, readout, readout_bias)  # (B, n)

    def loss(self, batch: Batch, code_index: int = 0):
        """BCE on the multiplicative noise sign (1 = hard decision right); returns (loss, logits)."""
        logits = self(batch.llr, code_index)  # (B, n)
        return F.binary_cross_entropy_with_logits(logits, multiplicative_noise_target(batch.llr, batch.x)), logits

    def export(self, code_index: int = 0) -> nn.Module:
        return ExportedUECCT(self, code_index)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


class ExportedUECCT(nn.Module):
    """What the receiver runs for one code: llr (B, n) -> soft output sign(L) * logit (B, n), positive = bit 0.

    The shared weights restricted to the code's n + m positions and m memory slots (the padded ones contribute
    nothing, see the module docstring); Softmax(A_l + M) of every block is a constant buffer."""

    def __init__(self, model: UECCT, code_index: int):
        super().__init__()
        with torch.no_grad():
            H = getattr(model, f"H_{code_index}")
            positions = getattr(model, f"positions_{code_index}")
            m, n = H.shape
            attention, values = model.maps(code_index)
            self.register_buffer("H", H.clone())
            self.register_buffer("embedding", model.embedding[positions].clone())  # (n + m, d)
            self.register_buffer("attention", attention[:, positions, :m].clone())  # (N_layers, n + m, m)
            self.register_buffer("values", values[:, positions, :m].clone())  # (N_layers, n + m, m)
            self.register_buffer("readout", model.to_bits.weight[:n, positions].clone())  # (n, n + m)
            self.register_buffer("readout_bias", model.to_bits.bias[:n].clone())  # (n,)
        self.model = copy.deepcopy(model)
        for index in range(len(self.model.code_names)):
            for name in ("H", "allowed", "writes", "real", "positions"):
                delattr(self.model, f"{name}_{index}")
        self.model.code_names = []
        del self.model.embedding, self.model.to_bits  # baked into the buffers above
        for block in self.model.blocks:
            del block.attn.A, block.attn.V

    def forward(self, llr: torch.Tensor) -> torch.Tensor:
        syndrome = torch.remainder((llr < 0).float() @ self.H.t(), 2.0)  # (B, m)
        features = torch.cat([llr.abs(), syndrome], dim=1)  # (B, n + m)
        logits = self.model.decode(features, self.embedding, self.attention, self.values, self.readout,
                                   self.readout_bias)
        return soft_output(llr, logits)  # (B, n)


def build(cfg: Config, codes) -> UECCT:
    """One UECCT over the codes' common padded layout; code_index i decodes codes[i]."""
    cfg.n_max = cfg.n_max or max(code.n for code in codes)
    cfg.m_max = cfg.m_max or max(code.m for code in codes)
    return UECCT(cfg, codes)


# --- attention cost against ECCT (python3 train/uecct.py cost models/uecct-mix) ---

def attention_macs(n: int, m: int, d: int, layers: int, ecct_allowed: torch.Tensor, h_bar: torch.Tensor,
                   sparse_values: bool) -> dict:
    """Multiply-accumulates per frame of the attention maps, as the paper counts them (Sec. 5.3).

    ECCT: Q K^T and attn V over L = n + m tokens, dense (L^2 d each) or skipping masked pairs (|mask| d each);
    its Q, K, V, O projections 4 L d^2 aside. UECCT: V_l^T X and Softmax(A_l + M) (V_l^T X) over L tokens and
    m slots, dense (L m d each) or skipping the zeros of H_bar (|H_bar| d each); projection W^O only, L d^2."""
    L = n + m
    ecct_nnz, bar_nnz = int(ecct_allowed.sum()), int(h_bar.sum())
    return {
        "ecct_dense": layers * 2 * L * L * d, "ecct_masked": layers * 2 * ecct_nnz * d,
        "ecct_proj": layers * 4 * L * d * d, "ecct_density": ecct_nnz / (L * L),
        "uecct_dense": layers * 2 * L * m * d,
        "uecct_masked": layers * ((bar_nnz if sparse_values else L * m) + bar_nnz) * d,
        "uecct_proj": layers * L * d * d, "uecct_density": bar_nnz / (L * m),
    }


def _ecct_models(models_dir: str) -> dict:
    """code -> folder of a single-code ECCT model shipped in models_dir."""
    found = {}
    for name in sorted(os.listdir(models_dir)):
        path = os.path.join(models_dir, name, "manifest.json")
        if os.path.isfile(path):
            with open(path) as f:
                manifest = json.load(f)
            if manifest["architecture"] == "ecct":
                found.setdefault(manifest["codes"][0]["code"], os.path.join(models_dir, name))
    return found


def _frames_per_s(repo: str, code: str, folders: list, out: str) -> dict:
    """decoder name -> its eval row (frames/s) of `./receiver eval` through the receiver (same frames, 1 thread, batch 64)."""
    command = ["./receiver", "eval", "--code", code, "--decoder", ",".join(d for d, _ in folders),
               "--model", ",".join(f for _, f in folders), "--ebn0", "5", "--min-frame-errors", "0",
               "--max-frames", "20000", "--threads", "1", "--batch", "64", "--seed", "1", "--json"]
    text = subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout
    with open(out, "w") as f:
        f.write(f"# {' '.join(command)}\n{text}")
    rows = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {row["decoder"]: row for row in rows}


def cost(model_dir: str):
    """Prints the attention-cost table of a UECCT model folder against the shipped ECCT models and appends it to
    the folder's CARD.md (replacing an earlier one), so a rerun after card.py refreshes it."""
    from codes import load_code
    from ecct import code_aware_mask
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    model_dir = os.path.normpath(model_dir)
    with open(os.path.join(model_dir, "manifest.json")) as f:
        manifest = json.load(f)
    cfg = manifest["config"]
    ecct = _ecct_models(os.path.dirname(model_dir) or "models")
    speed_dir = os.path.join(model_dir, "speed")
    os.makedirs(speed_dir, exist_ok=True)
    flops_rows, attn_rows, speed_rows = [], [], []
    for entry in manifest["codes"]:
        code_name = entry["code"]
        code = load_code(code_name)
        H = torch.from_numpy(code.H).float()
        h_bar = extended_parity_check(H)
        other = ecct.get(code_name)
        if other is None:
            flops_rows.append(f"| {code_name} | {entry['flops_per_frame']:,} | no ECCT model | - |")
            continue
        with open(os.path.join(other, "manifest.json")) as f:
            ecct_manifest = json.load(f)
        ecct_cfg, ecct_flops = ecct_manifest["config"], ecct_manifest["codes"][0]["flops_per_frame"]
        flops_rows.append(f"| {code_name} | {entry['flops_per_frame']:,} | {os.path.basename(other)}: "
                          f"{ecct_flops:,} | {entry['flops_per_frame'] / ecct_flops:.2f} |")
        assert ecct_cfg["d_model"] == cfg["d_model"] and ecct_cfg["n_layers"] == cfg["n_layers"], "compare equal sizes"
        macs = attention_macs(code.n, code.m, cfg["d_model"], cfg["n_layers"], code_aware_mask(H), h_bar,
                              cfg["sparse_values"])
        attn_rows.append(
            f"| {code_name} | {code.n + code.m} | {macs['ecct_density']:.3f} | {macs['ecct_dense']:,} | "
            f"{macs['ecct_masked']:,} | {macs['uecct_density']:.3f} | {macs['uecct_dense']:,} | "
            f"{macs['uecct_masked']:,} | {macs['uecct_masked'] / macs['ecct_masked']:.2f} | "
            f"{macs['ecct_proj']:,} / {macs['uecct_proj']:,} |")
        rows = _frames_per_s(repo, code_name, [("uecct", model_dir), ("ecct", other)],
                             os.path.join(speed_dir, f"{code_name}.jsonl"))
        mine, theirs = rows["uecct"], rows["ecct"]
        speed_rows.append(f"| {code_name} | {mine['frames']} | {mine['frames_per_s']:.0f} | {theirs['frames_per_s']:.0f} | "
                          f"{mine['frames_per_s'] / theirs['frames_per_s']:.2f} |")
    text = f"""
## Attention cost
Printed by `/usr/bin/python3 train/uecct.py cost {model_dir}` (appended after card.py wrote the card; rerun it after
card.py). ECCT rows: the shipped single-code ECCT of the same size (N={cfg['n_layers']}, d={cfg['d_model']}).

(a) FLOPs per frame of the exported TorchScript (manifests, torch profiler; ECCT's masked attention is counted dense
there, UECCT's export has no Q K^T and no softmax: Softmax(A_l + M) is a constant):

| code | UECCT | ECCT | ratio |
|---|---|---|---|
{chr(10).join(flops_rows)}

(b) Multiply-accumulates per frame of the attention maps over all {cfg['n_layers']} blocks, counted as the paper's
Sec. 5.3 does (L = n + m tokens, d = {cfg['d_model']}). ECCT: Q K^T and attn V, L^2 d each dense, |mask| d each when
masked pairs are skipped (mask density = ECCT's code-aware mask). UECCT: V_l^T X and Softmax(A_l + M)(V_l^T X),
L m d each dense; masked: the zeros of H_bar = [H^T; I] are skipped in the second{' and the first' if cfg['sparse_values'] else ' (the first, V_l^T X, stays dense as eq. 12 masks only A_l)'}.
Projections: ECCT Q, K, V, O = 4 L d^2; UECCT W^O only = L d^2.

| code | L | ECCT mask density | ECCT dense | ECCT masked | H_bar density | UECCT dense | UECCT masked | UECCT/ECCT masked | projections ECCT / UECCT |
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(attn_rows)}

(c) Measured through the receiver, 20,000 frames at 5 dB, 1 thread, batch 64, same frames for both (seed 1), on the
shared 2-core machine: `./receiver eval --code C --decoder uecct,ecct --model {model_dir},models/ecct-... --ebn0 5
--min-frame-errors 0 --max-frames 20000 --threads 1 --batch 64 --seed 1 --json` (lines in `{speed_dir}/`):

| code | frames | UECCT frames/s | ECCT frames/s | speed-up |
|---|---|---|---|---|
{chr(10).join(speed_rows)}
"""
    print(text)
    card_path = os.path.join(model_dir, "CARD.md")
    with open(card_path) as f:
        card = f.read().split("\n## Attention cost\n")[0].rstrip("\n") + "\n"
    with open(card_path, "w") as f:
        f.write(card + text)
    print(f"appended to {card_path}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "cost":
        cost(sys.argv[2])
    else:
        raise SystemExit(__doc__.splitlines()[3])
