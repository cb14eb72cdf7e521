"""SAP: spectral-aligned pruning of FECCT with per-code LoRA recovery (Cho et al., sap-pruned-fecct-lora).

  /usr/bin/python3 train/sap.py library --teacher=models/fecct-multi --out=models/fecct-sap --codes=A,B,...
      derive the reference codes' masks (Fisher importance, 40% FLOPs by default) into OUT/masks.json
  /usr/bin/python3 train/sap.py onboard --model=models/fecct-sap --code=SPEC [--tau=0.5] [--minutes=8]
      Algorithm 1: the nearest library entry's mask when kappa >= tau, else a new mask (added to the library);
      then LoRA recovery and export of the code into the model folder
  /usr/bin/python3 train/sap.py recover --model=models/fecct-sap --code=SPEC --mask=ENTRY|dedicated|full [--minutes=8]
      LoRA recovery with a given library entry's mask, the code's own (dedicated) mask, or no pruning (full)
  /usr/bin/python3 train/sap.py report --model=models/fecct-sap [--compare=models/fecct-dedicated] [--control=models/fecct-lora] [--pairs=CODES]
      Table 2 (FLOPs, parameters, adapter sizes), dedicated vs SAP -ln(BER) from the folders' ./receiver eval
      files, and spectral similarity vs mask Jaccard over the code pairs of CODES (A,B,...; CODE:perm, CODE:rref,
      CODE@seed for the paper's controls)

A SAP model folder holds masks.json (the library), backbones/<MASK>.safetensors (the teacher pruned by that
mask, shared by the codes using it), adapters/<CODE>.safetensors (rank-8 LoRA on Q, K, V, O), and per code
the TorchScript the receiver runs (<CODE>.pt, adapter merged unless --merge=0) with its golden file.
The teacher (the unpruned FECCT, also the KD teacher) is the folder the library names, beside this one.
"""
import contextlib
import copy
import fcntl
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from cpuenv import fast_cpu_environment
    fast_cpu_environment()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fecct  # noqa: E402
import lora  # noqa: E402
import prune  # noqa: E402
import spectrum  # noqa: E402
from channel import decide, multiplicative_noise_target, sample_code_batch  # noqa: E402
from codes import load_code, rref  # noqa: E402
from export import (FORMAT, file_sha256, flops_per_frame, load_safetensors, save_safetensors,  # noqa: E402
                    write_code_files)
from train import TrainConfig, device_name, loop, neg_ln, parse_config  # noqa: E402

@dataclass
class SapConfig:
    """The commands' options (--key=value, parsed by train.parse_config like every training config here)."""
    teacher: str = ""
    out: str = ""
    model: str = ""
    code: str = ""
    codes: str = ""
    mask: str = ""
    tau: float = spectrum.TAU
    reduction: float = 0.4     # FLOPs pruned away, of the whole frame's
    minutes: float = 8.0       # LoRA recovery budget per code (wall clock)
    max_steps: int = 100000
    rank: int = 8
    alpha: float = 16.0
    gamma: float = 1.0         # KD weight
    lr: float = 2e-3
    batch_size: int = 0        # 0: by graph size (batch_size())
    calibration: int = 1024    # frames for the Fisher importance
    merge: int = 1
    threads: int = 1
    seed: int = 1
    pairs: str = ""
    compare: str = ""
    control: str = ""
    force: int = 0


# ---------------------------------------------------------------- models and codes

def load_fecct(folder: str, codes):
    """(model, manifest) of an unpruned FECCT model folder over `codes`."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest["architecture"] != "fecct":
        raise SystemExit(f"{folder}: a {manifest['architecture']} model, SAP prunes fecct models")
    model = fecct.build(fecct.Config(**manifest["config"]), codes)
    model.load_state_dict(load_safetensors(os.path.join(folder, manifest["weights"])))
    return model.eval(), manifest


def stem(code) -> str:
    """File-safe name of a code (nr:224,256 -> nr_224_256)."""
    return file_safe(code.name)


def file_safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def variant(spec: str):
    """A bundled code, or one of the paper's controls (Appendix A): CODE:perm (columns permuted, same graph up to
    relabelling), CODE:rref (reduced row echelon form over GF(2): same code, another graph)."""
    name, _, kind = spec.partition(":")
    if name.lower() == "nr" or not kind:
        return load_code(spec)
    code = load_code(name)
    if kind == "perm":
        H = code.H[:, np.random.default_rng(7).permutation(code.n)]
    elif kind == "rref":
        H = rref(code.H)[0]
    else:
        raise SystemExit(f"unknown code variant '{spec}': use CODE:perm or CODE:rref")
    return type(code)(name=spec, path=code.path, H=H, k=code.k)


def mask_entry(code, heads, ffn, source: str, seed: int) -> dict:
    return {"code": code.name, "sha256": file_sha256(code.path), "n": code.n, "m": code.m, "source": source,
            "signature": [round(float(v), 10) for v in spectrum.signature(code.H)],
            "heads": heads.astype(int).tolist(), "ffn": ffn.astype(int).tolist(), "calibration_seed": seed}


def derive_entry(teacher_folder: str, code, reduction: float, frames: int, source: str, seed: int = 0) -> dict:
    """The code's own mask from the unpruned teacher: Fisher importance on its calibration frames."""
    model, _ = load_fecct(teacher_folder, [code])
    total = flops_per_frame(model.export(0), code.n)
    heads, ffn = prune.derive_mask(model, 0, code, total, reduction, frames=frames, seed=seed)
    return mask_entry(code, heads, ffn, source, seed)


@contextlib.contextmanager
def folder_lock(folder: str):
    """Serialises read-modify-write of a model folder's masks.json and manifest.json between concurrent runs."""
    with open(os.path.join(folder, ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def add_entry(folder: str, entry: dict):
    with folder_lock(folder):
        library = spectrum.Library.load(os.path.join(folder, "masks.json"))
        library.put(entry)
        library.save()


def teacher_folder_of(model_folder: str, library) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(model_folder)), library.data["teacher"])


# ---------------------------------------------------------------- library

def cmd_library(o):
    if not o["teacher"] or not o["out"]:
        raise SystemExit("library needs --teacher=FOLDER and --out=FOLDER")
    teacher = os.path.basename(os.path.normpath(o["teacher"]))
    model, _ = load_fecct(o["teacher"], [])
    block = model.blocks[0]
    path = os.path.join(o["out"], "masks.json")
    library = spectrum.Library.load(path) if os.path.exists(path) else spectrum.Library.create(
        path, teacher, len(model.blocks), block.attn.n_heads, block.ffn.fc.out_features, o["reduction"])
    for spec in filter(None, o["codes"].split(",")):
        code = load_code(spec)
        started = time.time()
        entry = derive_entry(o["teacher"], code, library.data["flops_reduction"], o["calibration"], "reference")
        library.put(entry)
        print(f"{code.name}: kept heads {np.sum(entry['heads'], axis=1).tolist()}, "
              f"FFN channels {np.sum(entry['ffn'], axis=1).tolist()} ({time.time() - started:.1f} s)")
    library.save()
    print(f"wrote {path}: {len(library.entries)} entries")


# ---------------------------------------------------------------- recovery

def kd_loss(student_logits, teacher_logits, weight):
    """Mean KL(q_t || q_s) of the bitwise posteriors q = sigmoid(logit) (the logits already carry sign(y)) over the
    bits where weight is 1: not over punctured bits (LLR 0), which the teacher never learned to recover."""
    p = torch.sigmoid(teacher_logits)
    kl = (p * (F.logsigmoid(teacher_logits) - F.logsigmoid(student_logits))
          + (1 - p) * (F.logsigmoid(-teacher_logits) - F.logsigmoid(-student_logits)))
    return (kl * weight).sum() / weight.sum().clamp(min=1.0)


def batch_size(code, o) -> int:
    """--batch_size, or by default 128 frames for graphs up to 256 nodes and 32 above (a step's time and attention
    memory grow with (n + m)^2: nr:224,256 has 504 nodes)."""
    return o["batch_size"] or (128 if code.n + code.m <= 256 else 32)


def train_adapters(student, teacher, code, o):
    """LoRA recovery through train.loop: BCE + gamma KD from the unpruned teacher, Adam on the adapters only, cosine
    over the wall-clock budget, no checkpoints. Returns (steps, wall seconds)."""
    cfg = TrainConfig(codes=(code.name,), arch="fecct", batch_size=batch_size(code, o), max_steps=o["max_steps"],
                      max_minutes=o["minutes"], lr=o["lr"], min_lr=1e-5, warmup_steps=0, ebn0_low=2.0, ebn0_high=7.0,
                      log_every=200, checkpoint_every=10 ** 9, seed=o["seed"], threads=o["threads"], out_dir="",
                      eval_frames=0)
    generator = torch.Generator().manual_seed(o["seed"])

    def step_loss(step):
        batch = sample_code_batch(code, cfg.batch_size, cfg.ebn0_low, cfg.ebn0_high, generator)
        with torch.no_grad():
            teacher_logits = teacher(batch.llr, 0)
        logits = student(batch.llr, 0)
        bce = F.binary_cross_entropy_with_logits(logits, multiplicative_noise_target(batch.llr, batch.x))
        return bce + o["gamma"] * kd_loss(logits, teacher_logits, (batch.llr != 0).float()), logits, batch

    run = loop(student, step_loss, cfg, parameters=[p for p in student.parameters() if p.requires_grad],
               log=lambda line: print("  " + line, flush=True))
    return run.step, run.wall_s


@torch.no_grad()
def quick_ber(model, code, frames=20000, seed=5):
    """-ln(BER) at 4/5/6 dB on all-zero frames (a progress check; the card's figures come from ./receiver eval)."""
    generator = torch.Generator().manual_seed(seed)
    batch = 500 if code.n + code.m <= 256 else 50
    frames = frames if code.n + code.m <= 256 else frames // 10
    out = []
    for ebn0 in (4.0, 5.0, 6.0):
        errors = bits = 0
        for _ in range(frames // batch):
            data = sample_code_batch(code, batch, ebn0, ebn0, generator)
            errors += (decide(data.llr, model(data.llr, 0)) != (data.x < 0).float()).sum().item()
            bits += data.llr.numel()
        out.append(round(neg_ln(errors / bits), 2))
    return out


def recover(folder: str, code, entry: dict, kappa, o):
    """Prunes the teacher with `entry`'s mask, trains the code's adapter and writes it into the model folder."""
    library = spectrum.Library.load(os.path.join(folder, "masks.json"))
    teacher, teacher_manifest = load_fecct(teacher_folder_of(folder, library), [code])
    student = prune.prune(copy.deepcopy(teacher), np.array(entry["heads"], bool), np.array(entry["ffn"], bool))
    backbone_state = {k: v.clone() for k, v in student.state_dict().items()}
    backbone_parameters = sum(p.numel() for p in student.parameters())
    lora.add_adapters(student, o["rank"], o["alpha"])
    print(f"{code.name}: mask of {entry['code']} (kappa {kappa}), backbone {backbone_parameters} parameters "
          f"(teacher {sum(p.numel() for p in teacher.parameters())}), adapter {lora.adapter_parameters(student)}; "
          f"before recovery -ln(BER) 4/5/6 dB {quick_ber(student, code, frames=5000)}", flush=True)
    steps, wall = train_adapters(student, teacher, code, o)
    print(f"{code.name}: {steps} steps in {wall:.0f} s; -ln(BER) 4/5/6 dB {quick_ber(student, code)} "
          f"(teacher {quick_ber(teacher, code)})", flush=True)
    write_code(folder, code, entry, kappa, student, backbone_state, backbone_parameters, teacher_manifest,
               {"steps": steps, "wall_s": round(wall, 1), "device": device_name("cpu"),
                "samples": steps * batch_size(code, o)}, o)


def write_code(folder, code, entry, kappa, student, backbone_state, backbone_parameters, teacher_manifest, budget, o):
    name = stem(code)
    os.makedirs(os.path.join(folder, "backbones"), exist_ok=True)
    os.makedirs(os.path.join(folder, "adapters"), exist_ok=True)
    backbone_file = f"backbones/{file_safe(entry['code'])}.safetensors"
    save_safetensors(backbone_state, os.path.join(folder, backbone_file), {"format": FORMAT, "mask": entry["code"]})
    adapter_file = f"adapters/{name}.safetensors"
    save_safetensors(lora.adapter_state(student), os.path.join(folder, adapter_file),
                     {"format": FORMAT, "code": code.name, "mask": entry["code"], "rank": o["rank"],
                      "alpha": o["alpha"]})
    adapter_parameters = lora.adapter_parameters(student)
    runtime = lora.merge(copy.deepcopy(student)) if o["merge"] else student
    heads, ffn = prune.kept_counts(student)
    code_entry = write_code_files(runtime.export(0), code, folder, name, torch.Generator().manual_seed(20261123))
    code_entry.update({
        "mask": entry["code"], "kappa": kappa, "adapter": adapter_file,
        "adapter_parameters": adapter_parameters, "merged": bool(o["merge"]), "budget": budget,
        "recovery": dict({k: o[k] for k in ("rank", "alpha", "gamma", "lr", "minutes", "seed")},
                         batch_size=batch_size(code, o))})
    backbone = {"mask": entry["code"], "weights": backbone_file, "parameters": backbone_parameters,
                "heads": heads, "ffn": ffn}
    update_manifest(folder, code_entry, backbone, teacher_manifest)
    print(f"wrote {folder}: {code_entry['torchscript']} ({code_entry['flops_per_frame']} FLOPs/frame), {adapter_file} "
          f"({adapter_parameters} parameters), {backbone_file}")


def update_manifest(folder, code_entry, backbone, teacher_manifest):
    with folder_lock(folder):
        _update_manifest(folder, code_entry, backbone, teacher_manifest)


def _update_manifest(folder, code_entry, backbone, teacher_manifest):
    path = os.path.join(folder, "manifest.json")
    manifest = {}
    if os.path.exists(path):
        with open(path) as f:
            manifest = json.load(f)
    name = os.path.basename(os.path.abspath(folder))
    codes = [c for c in manifest.get("codes", []) if c["code"] != code_entry["code"]] + [code_entry]
    backbones = [b for b in manifest.get("backbones", []) if b["mask"] != backbone["mask"]] + [backbone]
    used = {c["mask"] for c in codes}
    backbones = [b for b in backbones if b["mask"] in used]
    manifest = {
        "format": FORMAT, "name": name, "architecture": "fecct",
        "description": manifest.get("description") or (
            f"FECCT {teacher_manifest['name']} structurally pruned (SAP: Fisher importance of heads and FFN "
            f"channels under a FLOPs budget, masks looked up by spectral signature) with a rank-8 LoRA adapter "
            f"per code trained with BCE + KD from the unpruned model"),
        "teacher": teacher_manifest["name"], "library": "masks.json",
        "config": teacher_manifest["config"],
        "parameters": max(b["parameters"] for b in backbones),
        "flops_per_frame": max(c["flops_per_frame"] for c in codes),
        "backbones": sorted(backbones, key=lambda b: b["mask"]),
        "codes": sorted(codes, key=lambda c: c["code"]),
        "io": teacher_manifest.get("io", {}),
        "measured": manifest.get("measured", {}),
    }
    with open(path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def has_adapter(folder, code) -> bool:
    path = os.path.join(folder, "manifest.json")
    if not os.path.exists(path):
        return False
    with open(path) as f:
        return any(c["code"] == code.name and c.get("adapter") for c in json.load(f).get("codes", []))


def cmd_recover(o):
    folder, code = o["model"], load_code(o["code"])
    library = spectrum.Library.load(os.path.join(folder, "masks.json"))
    if o["mask"] == "dedicated":
        entry = derive_entry(teacher_folder_of(folder, library), code, library.data["flops_reduction"],
                             o["calibration"], "dedicated")
        add_entry(folder, entry)
        kappa = 1.0
    elif o["mask"] == "full":  # no pruning: the control that separates pruning loss from adapter gain
        layers, heads, ffn = library.data["layers"], library.data["heads"], library.data["ffn"]
        entry = {"code": "full", "heads": [[1] * heads] * layers, "ffn": [[1] * ffn] * layers}
        kappa = 1.0
    else:
        entry = library.find(o["mask"])
        if entry is None:
            raise SystemExit(f"no library entry '{o['mask']}' in {library.path}: "
                             f"{', '.join(e['code'] for e in library.entries)}")
        kappa = round(spectrum.kappa(spectrum.signature(code.H), entry["signature"], library.data["signature"]["beta"]), 4)
    recover(folder, code, entry, kappa, o)


def cmd_onboard(o):
    """Algorithm 1, then recovery."""
    folder, code = o["model"], load_code(o["code"])
    library = spectrum.Library.load(os.path.join(folder, "masks.json"))
    if has_adapter(folder, code) and not o["force"]:
        print(f"{code.name} already has an adapter in {folder} (--force=1 trains it again)")
        return
    phi = spectrum.signature(code.H)
    ranked = library.ranked(phi)
    for entry, d, k in ranked[:3]:
        print(f"  {entry['code']:<16} d = {d:7.3f}  kappa = {k:.4f}")
    nearest, d, kappa = ranked[0]
    if kappa >= o["tau"]:
        print(f"{code.name}: reuse the mask of {nearest['code']} (kappa {kappa:.4f} >= tau {o['tau']})")
        entry = nearest
    else:
        print(f"{code.name}: derive a new mask (nearest {nearest['code']} has kappa {kappa:.4f} < tau {o['tau']})")
        entry = derive_entry(teacher_folder_of(folder, library), code, library.data["flops_reduction"],
                             o["calibration"], "derived")
        add_entry(folder, entry)
        kappa = 1.0
    recover(folder, code, entry, round(kappa, 4), o)


# ---------------------------------------------------------------- report

def pearson(x, y) -> float:
    return float(np.corrcoef(np.asarray(x), np.asarray(y))[0, 1])


def cmd_report(o):
    """Table 2 over the model's codes, then spectral similarity vs mask Jaccard over the --pairs codes."""
    folder = o["model"]
    library = spectrum.Library.load(os.path.join(folder, "masks.json"))
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    teacher_folder = teacher_folder_of(folder, library)
    backbones = {b["mask"]: b for b in manifest["backbones"]}
    lines = ["## FLOPs and parameters (Table 2 of the paper, counted here)", "",
             f"Teacher {library.data['teacher']}, FLOPs budget {100 * library.data['flops_reduction']:.0f}% below the "
             "unpruned model per frame (torch profiler, multiply-adds x 2, on the exported TorchScript modules).", "",
             "| code | mask | FLOPs full (M) | FLOPs pruned (M) | red. (%) | params full | params pruned | LoRA | LoRA / full |",
             "|---|---|---|---|---|---|---|---|---|"]
    for entry in manifest["codes"]:
        code = load_code(entry_code(folder, entry))
        teacher, _ = load_fecct(teacher_folder, [code])
        full_flops = flops_per_frame(teacher.export(0), code.n)
        full_params = sum(p.numel() for p in teacher.parameters())
        backbone = backbones[entry["mask"]]
        lines.append(f"| {entry['code']} | {entry['mask']} | {full_flops / 1e6:.2f} | {entry['flops_per_frame'] / 1e6:.2f} | "
                     f"{100 * (full_flops - entry['flops_per_frame']) / full_flops:.1f} | {full_params} | "
                     f"{backbone['parameters']} | {entry['adapter_parameters']} | "
                     f"{100 * entry['adapter_parameters'] / full_params:.1f}% |")
    text = "\n".join(lines) + "\n"
    if o["compare"]:
        text += "\n" + comparison(folder, o["compare"], teacher_folder, [entry["code"] for entry in manifest["codes"]],
                                   o["control"])
    if o["pairs"]:
        text += "\n" + similarity_study(teacher_folder, o["pairs"].split(","), library.data["flops_reduction"],
                                        o["calibration"], folder)
    print(text)
    with open(os.path.join(folder, "REPORT.md"), "w") as f:
        f.write("# SAP report (train/sap.py report)\n\n" + text)


def comparison(folder, dedicated_folder, teacher_folder, codes, control_folder=""):
    """Table 3 of the paper from `./receiver eval --json` files: -ln(BER) of the unpruned teacher, the dedicated-mask
    and the SAP-mask pruned models (after LoRA recovery), and BP-50, from each folder's eval/*.jsonl."""
    from card import read_rows

    def rows_of(model_folder):
        eval_dir = os.path.join(model_folder, "eval")
        files = [os.path.join(eval_dir, f) for f in sorted(os.listdir(eval_dir))] if os.path.isdir(eval_dir) else []
        return read_rows(files)

    models = [("unpruned", teacher_folder), ("dedicated mask", dedicated_folder), ("SAP mask", folder)]
    if control_folder:
        models.append(("unpruned + LoRA", control_folder))
    results = {label: rows_of(path) for label, path in models}
    lines = ["## Decoding: dedicated vs SAP masks after LoRA recovery (Table 3 of the paper, measured here)", "",
             "`./receiver eval --json` rows in each model's eval/ folder: -ln(BER) at 4 / 5 / 6 dB "
             "(frame errors at each point in the JSON rows).", "",
             "| code | BP-50 | unpruned | unpruned + LoRA | dedicated mask | SAP mask (delta vs dedicated) |",
             "|---|---|---|---|---|---|"]
    for code in codes:
        def cells(label, decoder="fecct"):
            got = {r["ebn0_db"]: r["neg_ln_ber"] for r in results[label] if r["code"] == code and r["decoder"] == decoder}
            return [got.get(p) for p in (4.0, 5.0, 6.0)]
        fmt = lambda values: " / ".join("-" if v is None else f"{v:.2f}" for v in values)  # noqa: E731
        sap, dedicated = cells("SAP mask"), cells("dedicated mask")
        delta = " / ".join("-" if a is None or b is None else f"{a - b:+.2f}" for a, b in zip(sap, dedicated))
        bp = cells("SAP mask", "bp")
        if all(v is None for v in bp):
            bp = cells("unpruned", "bp")
        control = fmt(cells("unpruned + LoRA")) if control_folder else "-"
        lines.append(f"| {code} | {fmt(bp)} | {fmt(cells('unpruned'))} | {control} | {fmt(dedicated)} | {fmt(sap)} ({delta}) |")
    return "\n".join(lines) + "\n"


def entry_code(folder, entry):
    """The code of a manifest entry: a bundled name, or the graph file onboarding exported into folder/codes."""
    exported = os.path.join(folder, "codes", file_safe(entry["code"]) + ".alist")
    return exported if os.path.exists(exported) else entry["code"]


# The code pairs of the paper's Figure 4 (Appendix A, Table 4) that this project has (not pair 14: LDPC(128,64) seeds).
PAPER_PAIRS = {("LDPC_N49_K24", "LDPC_N121_K80"), ("LDPC_N121_K60", "LDPC_N121_K80"), ("LDPC_N121_K60", "LDPC_N121_K70"),
               ("BCH_N63_K36", "LDPC_N49_K24"), ("POLAR_N64_K32", "LDPC_N49_K24"), ("BCH_N63_K36", "LDPC_N121_K80"),
               ("BCH_N63_K36", "BCH_N63_K51"), ("BCH_N63_K45", "BCH_N63_K51"), ("BCH_N63_K36", "POLAR_N128_K64"),
               ("POLAR_N64_K48", "LDPC_N121_K80"), ("POLAR_N64_K48", "POLAR_N128_K64"), ("POLAR_N64_K32", "POLAR_N64_K48"),
               ("POLAR_N64_K48", "POLAR_N128_K86"), ("LDPC_N49_K24", "LDPC_N49_K24:rref"), ("BCH_N63_K45", "BCH_N63_K45:rref"),
               ("LDPC_N49_K24", "LDPC_N49_K24:perm"), ("BCH_N63_K45", "BCH_N63_K45:perm")}


def similarity_study(teacher_folder, specs, reduction, frames, folder):
    """Dedicated masks of every code (and control variant), then kappa and Jaccard of every pair, and Pearson's r."""
    cache = os.path.join(folder, "study-masks.json")  # the derived masks, reused by later reports
    masks = {}
    if os.path.exists(cache):
        with open(cache) as f:
            masks = json.load(f)
    for spec in specs:
        if spec in masks:
            continue
        code = variant(spec.split("@")[0])
        seed = int(spec.split("@")[1]) if "@" in spec else 0
        entry = derive_entry(teacher_folder, code, reduction, frames, "study", seed)
        masks[spec] = entry
        print(f"  mask of {spec}: heads {np.sum(entry['heads'], axis=1).tolist()}, "
              f"ffn {np.sum(entry['ffn'], axis=1).tolist()}", flush=True)
    with open(cache, "w") as f:
        json.dump(masks, f)
    rows = []
    for i, a in enumerate(specs):
        for b in specs[i + 1:]:
            rows.append((a, b, spectrum.kappa(masks[a]["signature"], masks[b]["signature"]),
                         prune.jaccard(masks[a], masks[b])))
    r = pearson([row[2] for row in rows], [row[3] for row in rows])
    paper = [row for row in rows if (row[0], row[1]) in PAPER_PAIRS or (row[1], row[0]) in PAPER_PAIRS]
    r_paper = pearson([row[2] for row in paper], [row[3] for row in paper]) if len(paper) > 2 else float("nan")
    out = [f"## Spectral similarity vs mask Jaccard ({len(rows)} code pairs, dedicated 40% masks)", "",
           f"Pearson correlation of kappa and Jaccard: r = {r:.3f} over all pairs; r = {r_paper:.3f} over the "
           f"{len(paper)} pairs of the paper's Table 4 present here (paper, Figure 4: 0.94 on its 18 pairs). "
           "`CODE:perm` permutes columns (same graph), `CODE:rref` is the same code with an RREF matrix, "
           "`@seed` another calibration draw.", "",
           "| code A | code B | kappa | Jaccard |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {k:.4f} | {j:.3f} |" for a, b, k, j in sorted(rows, key=lambda row: -row[2])]
    plot(rows, r, os.path.join(folder, "kappa-vs-jaccard.png"))
    return "\n".join(out) + "\n"


def plot(rows, r, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not found: no plot")
        return
    kappas, jaccards = [row[2] for row in rows], [row[3] for row in rows]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.scatter(kappas, jaccards, s=12)
    slope, intercept = np.polyfit(kappas, jaccards, 1)
    xs = np.linspace(0, 1, 2)
    ax.plot(xs, slope * xs + intercept, "r-", lw=1)
    ax.set_xlabel("spectral similarity kappa")
    ax.set_ylabel("mask Jaccard similarity")
    ax.set_title(f"{len(rows)} code pairs, Pearson r = {r:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv):
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__)
        return
    o = asdict(parse_config(argv[1:], SapConfig())[0])
    torch.set_num_threads(o["threads"])
    torch.manual_seed(o["seed"])
    COMMANDS[argv[0]](o)


COMMANDS = {"library": cmd_library, "onboard": cmd_onboard, "recover": cmd_recover, "report": cmd_report}

if __name__ == "__main__":
    main(sys.argv[1:])
