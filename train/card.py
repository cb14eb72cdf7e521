"""Write a model card from the manifest and `./receiver eval --json` results.

  /usr/bin/python3 train/card.py MODEL_DIR [EVAL_JSONL ...]
  /usr/bin/python3 train/card.py --summary MODELS_DIR     # one table over every model's eval/*.jsonl

Each EVAL_JSONL holds the JSON lines of one `./receiver eval --json` run (the model's own decoder
and baselines such as BP-50 on the same code and Eb/N0 points). The rows decoded by this model
(decoder == the manifest's architecture) go into manifest["measured"]; every row goes into the
card's table, so the comparison is printed from the same files. Nothing here is typed in by hand.
"""
import json
import os
import sys
from collections import defaultdict


# Papers' figures, -ln(BER) at 4/5/6 dB, quoted as references (never measured here).
PAPER_ROWS = {
    "POLAR_N64_K32": [
        ("BP", (4.26, 5.38, 6.50), "ECCFM paper, Table 1"),
        ("ECCT N=6 d=128", (6.87, 9.21, 12.15), "ECCFM paper, Table 1"),
        ("CrossMPT N=6 d=128", (7.42, 9.94, 13.28), "ECCFM paper, Table 1"),
        ("ECCFM N=6 d=128", (7.55, 10.31, 13.80), "ECCFM paper, Table 1"),
    ],
    "LDPC_N49_K24": [
        ("BP-50", (6.23, 8.19, 11.72), "AECCT paper, Table 1"),
        ("ECCT N=6 d=128", (5.79, 8.13, 11.40), "AECCT paper, Table 1"),
        ("ECCT N=10 d=128", (6.35, 9.01, 12.43), "AECCT paper, Table 1"),
        ("AECCT N=6 d=128", (6.10, 8.65, 12.34), "AECCT paper, Table 1"),
        ("AECCT N=10 d=128", (6.67, 9.35, 13.56), "AECCT paper, Table 1"),
    ],
    "BCH_N63_K45": [
        ("BP", (4.36, 5.55, 7.26), "ECCFM paper, Table 1"),
        ("ECCT N=6 d=128", (5.47, 7.56, 10.51), "ECCFM paper, Table 1"),
        ("ECCFM N=6 d=128", (5.70, 8.03, 11.04), "ECCFM paper, Table 1"),
    ],
    "LDPC_N121_K70": [
        ("BP", (5.88, 8.76, 13.04), "ECCFM paper, Table 1"),
        ("ECCT N=6 d=128", (6.30, 10.11, 15.50), "ECCFM paper, Table 1"),
        ("ECCFM N=6 d=128", (7.35, 12.23, 17.60), "ECCFM paper, Table 1"),
    ],
}


def references(codes):
    lines = []
    for code in codes:
        for name, values, source in PAPER_ROWS.get(code, []):
            lines.append(f"| {code} | {name} | " + " | ".join(f"{v:.2f}" for v in values) + f" | {source} |")
    if not lines:
        return ""
    return ("\n## Papers' figures (references, not measured here)\n\n| code | decoder | 4 dB | 5 dB | 6 dB | source |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n")


def read_rows(paths):
    """Every eval row; where several runs measured the same code, decoder, model and point, the one with the
    most frame errors (the tightest estimate) is kept."""
    best = {}
    for path in paths:
        with open(path) as f:
            for row in (json.loads(line) for line in f if line.startswith("{")):
                key = (row["code"], row["decoder"], row.get("iterations"), row.get("model"), row["ebn0_db"])
                if key not in best or row["frame_errors"] > best[key]["frame_errors"]:
                    best[key] = row
    return list(best.values())


def label(row):
    its = f"-{row['iterations']}" if row["decoder"] in ("bp", "nms", "oms", "layered-nms") else ""
    return f"{row['decoder'].upper()}{its}"


def table(rows, codes):
    points = sorted({row["ebn0_db"] for row in rows})
    lines = []
    for code in codes:
        by_decoder = defaultdict(dict)
        for row in rows:
            if row["code"] == code:
                by_decoder[label(row)][row["ebn0_db"]] = row
        if not by_decoder:
            continue
        lines.append(f"\n**{code}**: -ln(BER) (frame errors / frames)\n")
        lines.append("| decoder | " + " | ".join(f"{p:g} dB" for p in points) + " |")
        lines.append("|---" * (len(points) + 1) + "|")
        for name, cells in by_decoder.items():
            lines.append(f"| {name} | " + " | ".join(
                cell(cells[p]) if p in cells else "-" for p in points) + " |")
    return "\n".join(lines)


def fer_table(rows, codes):
    """FER per decoder and the ML lower bound: frames where some decoder returned a valid codeword more likely than
    the one sent, which maximum-likelihood decoding gets wrong too (the largest such count over the decoders' runs)."""
    points = sorted({row["ebn0_db"] for row in rows})
    lines = []
    for code in codes:
        by_decoder, bound = defaultdict(dict), {}
        for row in rows:
            if row["code"] != code:
                continue
            by_decoder[label(row)][row["ebn0_db"]] = row
            if row.get("ml_frame_errors") and row["frames"]:
                fer = row["ml_frame_errors"] / row["frames"]
                if fer > bound.get(row["ebn0_db"], (0, None))[0]:
                    bound[row["ebn0_db"]] = (fer, row)
        if not by_decoder:
            continue
        lines.append(f"\n**{code}**: FER (frame errors / frames); last row: ML lower bound (ML errors / frames, the run that found them)\n")
        lines.append("| decoder | " + " | ".join(f"{p:g} dB" for p in points) + " |")
        lines.append("|---" * (len(points) + 1) + "|")
        for name, cells in by_decoder.items():
            lines.append(f"| {name} | " + " | ".join(
                f"{cells[p]['fer']:.3g} ({cells[p]['frame_errors']}/{cells[p]['frames']})" if p in cells else "-"
                for p in points) + " |")
        if bound:
            lines.append("| ML lower bound | " + " | ".join(
                f"{bound[p][0]:.3g} ({bound[p][1]['ml_frame_errors']}/{bound[p][1]['frames']}, {label(bound[p][1])})"
                if p in bound else "-" for p in points) + " |")
    return "\n".join(lines)


def cell(row):
    """-ln(BER) (frame errors / frames); no bit error in the frames run gives '-'."""
    value = f"{row['neg_ln_ber']:.2f}" if row["neg_ln_ber"] is not None else "-"
    return f"{value} ({row['frame_errors']}/{row['frames']})"


def recipe(manifest):
    """Recipe and budget: of the training run, or per code of a pruned model's LoRA recovery (train/sap.py)."""
    if "backbones" in manifest:
        lines = [f"## Recipe\nThe unpruned FECCT `{manifest['teacher']}` pruned by the mask each code's entry names "
                 "(heads and FFN channels removed; masks in masks.json, Fisher importance under a FLOPs budget), then a "
                 "LoRA adapter on Q, K, V, O per code trained with BCE + KD from the unpruned model (`train/sap.py`), "
                 "all-zero codewords (random codewords for punctured codes such as nr:K,N), Eb/N0 uniform in [2, 7] dB, "
                 "Adam, cosine over the wall-clock budget. Kappa 1.0: the code's own mask, derived for it (dedicated, or "
                 "onboarded with no library entry at kappa >= tau).\n",
                 "| code | mask (kappa) | backbone parameters | adapter parameters | rank / alpha / gamma | steps | minutes | device |",
                 "|---|---|---|---|---|---|---|---|"]
        backbones = {b["mask"]: b for b in manifest["backbones"]}
        for entry in manifest["codes"]:
            r, b = entry["recovery"], entry["budget"]
            lines.append(f"| {entry['code']} | {entry['mask']} ({entry['kappa']}) | {backbones[entry['mask']]['parameters']} | "
                         f"{entry['adapter_parameters']} | {r['rank']} / {r['alpha']:g} / {r['gamma']:g} | {b['steps']} | "
                         f"{b['wall_s'] / 60:.1f} | {b['device']} |")
        return "\n".join(lines) + "\n"
    train = manifest["train"]
    if train.get("schedule") == "constant":
        schedule = (f"peak LR {train['lr']} (warm-up {train['warmup_steps']} steps) held constant, weights averaged by "
                    f"an EMA of decay {train['ema']} (the exported weights)")
    else:
        schedule = f"peak LR {train['lr']} (warm-up {train['warmup_steps']} steps) cosine to {train['min_lr']}"
        if train.get("ema"):
            schedule += f", EMA of decay {train['ema']} exported"
    return f"""## Recipe
All-zero codewords, BPSK-AWGN, Eb/N0 uniform per sample in [{train['ebn0_low']}, {train['ebn0_high']}] dB,
batch {train['batch_size']}, Adam, {schedule},
seed {train['seed']}. Config: `train/config/` (arch `{train['arch']}`, model {json.dumps(train['model'])}).{fork(train)}

## Budget
{budget_text(manifest['budget'])}
"""


def budget_text(budget):
    """The budget summed over every run that made the weights, and one row per run (segment) where recorded."""
    segments = budget.get("segments") or []
    gpu = any("cpu" not in s["device"].lower() for s in segments) or "cpu" not in budget["device"].lower()
    scale = "" if gpu else ("The papers train for 1000 epochs x 1000 steps of batch 128 on a GPU; this model saw a small "
                            "fraction of that.")
    if not segments:
        return (f"{budget['steps']} steps ({budget['samples']} frames) in {budget['wall_s'] / 60:.1f} min on "
                f"{budget['device']}.\n{scale}")
    cpu_hours = sum(s.get("cpu_s", 0.0) for s in segments) / 3600
    plural = "s" if len(segments) > 1 else ""
    lines = [f"{budget['steps']} steps ({budget['samples']} frames) over {len(segments)} run{plural}: "
             f"{budget['wall_s'] / 3600:.2f} h wall clock, {cpu_hours:.2f} CPU-hours (process CPU time; runs before "
             f"budgets were recorded count wall x threads), on {', '.join(budget.get('devices') or [budget['device']])}. "
             + scale, "", "| run | device | steps | frames | wall min | CPU min |", "|---|---|---|---|---|---|"]
    for s in segments:
        lines.append(f"| {s.get('date', '')} | {s['device']} | {s['steps']} | {s.get('frames', 0)} | "
                     f"{s['wall_s'] / 60:.1f} | {s.get('cpu_s', 0.0) / 60:.1f} |")
    return "\n".join(lines)


def learning_curve(folder, rows):
    """learning-curve.png from the run's curve.jsonl (validation -ln(BER) against training steps, per code and Eb/N0,
    BP-50 of the eval rows dashed); returns the card's lines for it, or "" without a curve."""
    path = os.path.join(folder, "curve.jsonl")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        points = [json.loads(line) for line in f if line.strip()]
    if not points:
        return ""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    codes = sorted({p["code"] for p in points})
    fig, axes = plt.subplots(1, len(codes), figsize=(5 * len(codes), 4), squeeze=False)
    for axis, code in zip(axes[0], codes):
        for ebn0 in sorted({p["ebn0_db"] for p in points if p["code"] == code}):
            series = [p for p in points if p["code"] == code and p["ebn0_db"] == ebn0]
            line, = axis.plot([p["total_steps"] for p in series], [p["neg_ln_ber"] for p in series], marker=".",
                              label=f"{ebn0:g} dB")
            bp = [r for r in rows if r["code"] == code and r["decoder"] == "bp" and r["ebn0_db"] == ebn0
                  and r["neg_ln_ber"] is not None]
            if bp:
                axis.axhline(bp[0]["neg_ln_ber"], color=line.get_color(), linestyle="--", linewidth=0.8)
        axis.set_title(code)
        axis.set_xlabel("training steps (all runs)")
        axis.set_ylabel("-ln(BER), validation")
        axis.grid(alpha=0.3)
        axis.legend(title="solid: model, dashed: BP-50", fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(folder, "learning-curve.png"), dpi=100)
    plt.close(fig)
    last = max(p["total_steps"] for p in points)
    return (f"\n## Learning curve\nValidation -ln(BER) during training (`curve.jsonl`: {len(points)} points up to step "
            f"{last}, all-zero frames seeded apart from training, EMA weights where the run kept them); dashed: BP-50 "
            "from the eval rows below.\n\n![learning curve](learning-curve.png)\n")


def fork(train):
    """The lines a forked run (train.py --init_from, --hybrid) adds to its recipe."""
    text = ""
    if train.get("hybrid"):
        text += (f"\nLoss (IV) of the hybrid error-floor paper for the stages `{train['hybrid']}` (`train/hybrid.py`): "
                 "frames beyond the BCH radius t when a pre-decoder is in front, the STE step u(d_H - t) on BCE when a post-decoder follows.")
    if train.get("init_from"):
        text += f"\nStarts from the weights of `{os.path.relpath(train['init_from']) if os.path.isabs(train['init_from']) else train['init_from']}`"
        text += (" (its runs are in the budget below)." if train.get("schedule") == "constant" else
                 " (that run's steps are not in the budget below; models/README.md gives that base run's budget).")
    return text


def summary(models_dir):
    """Markdown table: per model and code, -ln(BER) at each point next to BP-50 from the same eval files."""
    lines = ["| model | code | budget | 4 dB | 5 dB | 6 dB | BP-50 4 / 5 / 6 dB |", "|---|---|---|---|---|---|---|"]
    for name in sorted(os.listdir(models_dir)):
        folder = os.path.join(models_dir, name)
        manifest_path = os.path.join(folder, "manifest.json")
        if not os.path.isfile(manifest_path) or not os.path.isdir(os.path.join(folder, "eval")):
            continue
        with open(manifest_path) as f:
            manifest = json.load(f)
        rows = read_rows(os.path.join(folder, "eval", file) for file in sorted(os.listdir(os.path.join(folder, "eval"))))
        for entry in manifest["codes"]:
            budget = entry.get("budget") or manifest["budget"]
            own = {r["ebn0_db"]: r for r in rows if r["code"] == entry["code"] and r["decoder"] == manifest["architecture"]}
            bp = {r["ebn0_db"]: r for r in rows if r["code"] == entry["code"] and r["decoder"] == "bp"}
            cells = [f"{own[p]['neg_ln_ber']:.2f}" if p in own else "-" for p in (4, 5, 6)]
            base = " / ".join(f"{bp[p]['neg_ln_ber']:.2f}" if p in bp else "-" for p in (4, 5, 6))
            lines.append(f"| {name} | {entry['code']} | {budget['steps']} steps, {budget['wall_s'] / 60:.0f} min | "
                         + " | ".join(cells) + f" | {base} |")
    print("\n".join(lines))


def main(argv):
    if len(argv) == 2 and argv[0] == "--summary":
        return summary(argv[1])
    if len(argv) < 1:
        raise SystemExit(__doc__)
    folder, result_files = argv[0], argv[1:]
    manifest_path = os.path.join(folder, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    rows = read_rows(result_files)
    codes = [entry["code"] for entry in manifest["codes"]]
    own = [row for row in rows if row["decoder"] == manifest["architecture"]]
    manifest["measured"] = {
        code: {f"{row['ebn0_db']:g}": {"neg_ln_ber": round(row["neg_ln_ber"], 3), "ber": row["ber"], "fer": row["fer"],
                                        "frames": row["frames"], "frame_errors": row["frame_errors"]}
               for row in own if row["code"] == code}
        for code in codes}
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")

    config = manifest["config"]
    model_keys = ", ".join(f"{k}={v}" for k, v in config.items() if k not in ("n", "m", "codes"))
    card = f"""# {manifest['name']}

{manifest.get('description', '')}

| | |
|---|---|
| architecture | {manifest['architecture']} ({model_keys}) |
| codes | {', '.join(codes)} (file sha256 in manifest.json) |
| parameters | {manifest['parameters']} |
| FLOPs per frame | {manifest['flops_per_frame']} (torch profiler, dense attention) |
| input / output | {manifest['io']['input']} / {manifest['io']['output']} |

{recipe(manifest)}{learning_curve(folder, rows)}
## Measured
`./receiver eval` on random codewords, at least the stated frame errors per point (stop rule in the rows' JSON):
{table(rows, codes)}
{fer_table(rows, codes)}
{references(codes)}
Reproduce: see `models/README.md` (the commands that produced these rows).
"""
    with open(os.path.join(folder, "CARD.md"), "w") as f:
        f.write(card)
    print(f"wrote {folder}/CARD.md and the manifest's measured table ({len(own)} rows of this model)")


if __name__ == "__main__":
    main(sys.argv[1:])
