"""Training for hybrid error-floor decoding (ecct-error-floor-hybrid.txt): hard-decision pre-decoder ->
neural decoder -> hard-decision post-decoder, each hard-decision stage optional.

The receiver runs the stages (`--decoder bm+ecct+bm`, `bm+ecct`, `ecct+bm`); this file trains the neural stage
for them with the paper's loss (IV): sum over samples of u(d_H(x, f~(y)) - t) * BCE(x, f(y)), where
- with a pre-decoder, only frames it cannot correct are drawn: more than t hard-decision errors
  (the paper checks the error count instead of running Berlekamp-Massey, and so do we);
- with a post-decoder, the step u(.) drops frames whose output has at most t errors (the post-decoder
  corrects them); d_H is the soft Hamming distance n x soft BER, u is a straight-through estimator:
  the step forward, the sigmoid's gradient backward;
- with only a pre-decoder the step is left out; with only a post-decoder every frame is drawn.
t is the BCH code's correction capability (largest t whose generator degree, from the cyclotomic cosets
of 1..2t, equals n - k).
Deviation: the paper trains from scratch with loss (IV); here it fine-tunes an ECCT trained with BCE
(`--init_from`), against the same fine-tune with BCE, so the loss is the only difference at equal budget.
"""
import torch
import torch.nn.functional as F

from channel import Batch, hard_bits, multiplicative_noise_target, sample_code_batch

STAGES = ("pre", "post", "pre-post")
MAX_DRAWS = 1000  # rejection-sampling rounds before giving up on the training Eb/N0 range


def bch_correction_capability(code) -> int:
    """t of a narrow-sense primitive BCH(n = 2^m - 1, k): the largest t with |cosets of 1..2t| = n - k."""
    n, redundancy = code.n, code.n - code.k
    if (n + 1) & n:
        raise ValueError(f"{code.name}: n = {n} is not 2^m - 1, so it is not a primitive BCH code")
    roots, t = set(), 0
    for designed in range(1, n):
        element = designed
        while element not in roots:  # cyclotomic coset of `designed` modulo n under doubling
            roots.add(element)
            element = (2 * element) % n
        if designed % 2 == 0:  # t covers 2t consecutive roots
            if len(roots) == redundancy:
                t = designed // 2
            elif len(roots) > redundancy:
                break
    if t == 0:
        raise ValueError(f"{code.name}: no BCH designed distance gives n - k = {redundancy}")
    return t


def sample_beyond_t(code, batch_size: int, ebn0_low: float, ebn0_high: float, t: int, device="cpu") -> Batch:
    """A batch of frames whose hard decision has more than t errors (what the pre-decoder passes on)."""
    parts, count = [], 0
    for _ in range(MAX_DRAWS):
        batch = sample_code_batch(code, 4 * batch_size, ebn0_low, ebn0_high, device=device)
        errors = (hard_bits(batch.llr) != (batch.x < 0).float()).sum(dim=1)  # (4B,)
        keep = errors > t
        if keep.any():
            parts.append(Batch(x=batch.x[keep], z=batch.z[keep], sigma=batch.sigma[keep], ebn0=batch.ebn0[keep],
                               rate=batch.rate, llr=batch.llr[keep]))
            count += int(keep.sum())
        if count >= batch_size:
            break
    else:
        raise RuntimeError(f"{code.name}: fewer than {batch_size} frames with more than {t} errors in "
                           f"{MAX_DRAWS} draws at Eb/N0 {ebn0_low}..{ebn0_high} dB")
    cat = lambda name: torch.cat([getattr(p, name) for p in parts])[:batch_size]  # noqa: E731
    return Batch(x=cat("x"), z=cat("z"), sigma=cat("sigma"), ebn0=cat("ebn0"), rate=parts[0].rate, llr=cat("llr"))


def step_ste(alpha: torch.Tensor) -> torch.Tensor:
    """u(alpha) = 1 if alpha > 0 else 0 forward, d sigmoid(alpha) backward."""
    proxy = torch.sigmoid(alpha)
    return (alpha > 0).float() + proxy - proxy.detach()


def hybrid_loss(logits: torch.Tensor, batch: Batch, t: int, post: bool) -> torch.Tensor:
    """Loss (IV): mean over frames of u(n * softBER - t) * BCE (the step only with a post-decoder)."""
    target = multiplicative_noise_target(batch.llr, batch.x)  # (B, n) 1 = hard decision right
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none").mean(dim=1)  # (B,)
    if not post:
        return bce.mean()
    p_right = torch.sigmoid(logits)  # (B, n)
    soft_distance = (target * (1 - p_right) + (1 - target) * p_right).sum(dim=1)  # (B,) n x soft BER
    return (step_ste(soft_distance - t) * bce).mean()


class HybridObjective:
    """What train.py calls per step when cfg.hybrid is set: draws the batch the stages imply and returns (loss, logits)."""

    def __init__(self, stages: str, codes):
        if stages not in STAGES:
            raise SystemExit(f"unknown hybrid stages '{stages}': known are {', '.join(STAGES)}")
        self.pre, self.post = stages in ("pre", "pre-post"), stages in ("post", "pre-post")
        self.t = [bch_correction_capability(code) for code in codes]

    def step(self, model, code, code_index: int, batch_size: int, ebn0_low: float, ebn0_high: float, device="cpu"):
        t = self.t[code_index]
        batch = (sample_beyond_t(code, batch_size, ebn0_low, ebn0_high, t, device) if self.pre
                 else sample_code_batch(code, batch_size, ebn0_low, ebn0_high, device=device))
        logits = model(batch.llr, code_index)
        return hybrid_loss(logits, batch, t, self.post), logits, batch


def table(folder: str, plot: str = ""):
    """Table I (FER at 6/7/8 dB per configuration) from `./receiver eval --json` files in folder, named
    <CODE>.<label>.jsonl by scripts/hybrid-study.sh; optionally the FER curves as a PNG."""
    import glob
    import json
    import os
    rows = {}  # (code, label) -> {ebn0: row}
    for path in sorted(glob.glob(os.path.join(folder, "*.jsonl"))):
        code, label = os.path.basename(path)[:-len(".jsonl")].split(".", 1)
        with open(path) as f:
            for line in f:
                row = json.loads(line)  # a file of several decoders (hard,bm) is labelled by decoder
                name = label if row["decoder"] in label else row["decoder"]
                rows.setdefault((code, name), {})[row["ebn0_db"]] = row
    codes = sorted({code for code, _ in rows})
    for code in codes:
        print(f"\n{code}: FER (frame errors / frames)\n")
        print("| configuration | 6 dB | 7 dB | 8 dB |\n|---|---|---|---|")
        for (c, label), points in rows.items():
            if c != code:
                continue
            cells = [f"{points[e]['fer']:.2e} ({points[e]['frame_errors']}/{points[e]['frames']})" if e in points else "-"
                     for e in (6, 7, 8)]
            print(f"| {label} | " + " | ".join(cells) + " |")
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        figure, axes = plt.subplots(1, len(codes), figsize=(6 * len(codes), 4.5), squeeze=False)
        for axis, code in zip(axes[0], codes):
            labels = sorted(label for c, label in rows if c == code)
            colours = plt.get_cmap("tab20")
            for index, label in enumerate(labels):  # loss (IV) dashed, classical baselines dotted
                points = rows[(code, label)]
                measured = sorted((e, r["fer"]) for e, r in points.items() if r["frame_errors"] > 0)
                style = "--" if "loss" in label else ":" if "ecct" not in label else "-"
                axis.semilogy(*zip(*measured), style, marker="o", color=colours(index), label=label)
            axis.set_title(code)
            axis.set_xlabel("Eb/N0 (dB)")
            axis.set_ylabel("FER")
            axis.grid(True, which="both", alpha=0.3)
            axis.legend(fontsize=7)
        figure.tight_layout()
        figure.savefig(plot, dpi=110)
        print(f"\nwrote {plot}")


if __name__ == "__main__":
    import sys
    if len(sys.argv) < 3 or sys.argv[1] != "table":
        raise SystemExit("usage: hybrid.py table EVAL_FOLDER [PLOT.png]")
    table(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
