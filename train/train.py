"""Train a neural decoder on all-zero codewords over BPSK-AWGN (nanoGPT-style loop).

  /usr/bin/python3 train/train.py [config/file.py|file.json] [--key=value ...] [--resume]

Config: TrainConfig below; a config file (Python assignments or a JSON object) and then
--key=value flags override it (--model.d_model=64 sets one model field). The architecture is a
module train/<arch>.py with Config, build(cfg, codes) and a model with forward/loss/export.
Multi-code architectures (FECCT) train on every code in `codes`, one code drawn per step.
Checkpoint (out_dir/ckpt.pt) holds weights, both configs, optimizer and step, so a loader
rebuilds the net (load_checkpoint) and --resume continues the run.
"""
import importlib
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from cpuenv import fast_cpu_environment
    fast_cpu_environment()

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from channel import decide, hard_bits, sample_code_batch  # noqa: E402
from codes import load_code  # noqa: E402
from hybrid import HybridObjective  # noqa: E402

ARCHITECTURES = ("ecct", "fecct", "eccfm", "uecct", "aecct", "ddecc")


@dataclass
class TrainConfig:
    codes: tuple = ("LDPC_N49_K24",)  # bundled names or paths (codes/ formats); one per step is drawn
    arch: str = "ecct"             # module train/<arch>.py
    model: dict = field(default_factory=dict)  # overrides of the architecture's Config
    name: str = ""                 # model name for export (default: out_dir's last folder)
    batch_size: int = 128          # ECCT: 128
    max_steps: int = 1000          # ECCT: 1000 epochs x 1000 steps
    max_minutes: float = 0.0       # wall-clock budget (0 = none): training stops at whichever limit comes first
    lr: float = 1e-4               # peak LR; ECCT: 1e-4 cosine to 5e-7
    min_lr: float = 5e-7
    warmup_steps: int = 0
    grad_clip: float = 0.0         # 0 = off
    ebn0_low: float = 3.0          # training Eb/N0 range in dB, drawn per sample (ECCT: 3..7)
    ebn0_high: float = 7.0
    log_every: int = 50
    checkpoint_every: int = 500
    eval_ebn0: tuple = (4.0, 5.0, 6.0)
    eval_frames: int = 20000       # per Eb/N0 point at the end
    eval_batch: int = 2000
    seed: int = 1
    threads: int = 2
    device: str = "cpu"            # "cuda" on a GPU machine
    out_dir: str = "out/ecct_ldpc49"
    init_from: str = ""            # checkpoint whose weights start the model (a fork of an earlier run)
    hybrid: str = ""               # "", or the hard-decision stages the model is trained for: pre, post, pre-post (hybrid.py)


def parse_config(argv):
    cfg, resume = TrainConfig(), False
    known = {f.name: f for f in fields(TrainConfig)}
    overrides = {}
    for arg in argv:
        if arg == "--resume":
            resume = True
        elif arg.startswith("--model."):
            key, _, value = arg[len("--model."):].partition("=")
            overrides.setdefault("model", dict(cfg.model))[key] = _literal(value)
        elif arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            if key not in known:
                raise SystemExit(f"unknown config key: {key}")
            overrides[key] = _coerce(getattr(cfg, key), value)
        elif arg.endswith(".json"):
            with open(arg) as f:
                overrides.update(json.load(f))
        else:  # a Python override file of plain assignments, as nanoGPT's config/*.py
            scope = {}
            with open(arg) as f:
                exec(f.read(), {}, scope)
            overrides.update({k: v for k, v in scope.items() if not k.startswith("_")})
    for key, value in overrides.items():
        if key not in known:
            raise SystemExit(f"unknown config key: {key}")
        setattr(cfg, key, tuple(value) if isinstance(getattr(cfg, key), tuple) else value)
    return cfg, resume


def _coerce(default, text):
    if isinstance(default, bool):
        return text.lower() in ("1", "true", "yes")
    if isinstance(default, tuple):
        return tuple(_literal(t) for t in text.split(","))
    return type(default)(text)


def _literal(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def learning_rate(step, cfg: TrainConfig, wall_s=0.0):
    """Linear warm-up, then cosine from lr to min_lr over max_steps (or over max_minutes if that ends first)."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    if cfg.max_minutes > 0:
        progress = max(progress, min(1.0, wall_s / (60.0 * cfg.max_minutes)))
    return cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1.0 + math.cos(math.pi * progress))


def architecture(name):
    if name not in ARCHITECTURES:
        raise SystemExit(f"unknown architecture '{name}': known are {', '.join(ARCHITECTURES)}")
    return importlib.import_module(name)


def build_model(cfg: TrainConfig, codes):
    """(model, model config) for cfg.arch over the loaded codes."""
    module = architecture(cfg.arch)
    known = {f.name for f in fields(module.Config)}
    unknown = set(cfg.model) - known
    if unknown:
        raise SystemExit(f"unknown {cfg.arch} model keys {sorted(unknown)}: known are {sorted(known)}")
    model_cfg = module.Config(**cfg.model)
    return module.build(model_cfg, codes), model_cfg


def load_checkpoint(path, device="cpu"):
    """(model, model config, train config, codes, checkpoint dict) rebuilt from out_dir/ckpt.pt."""
    ckpt = torch.load(path, map_location=device)
    cfg = TrainConfig(**{k: tuple(v) if isinstance(getattr(TrainConfig, k, None), tuple) else v
                         for k, v in ckpt["train_cfg"].items() if k in {f.name for f in fields(TrainConfig)}})
    codes = [load_code(spec) for spec in cfg.codes]
    module = architecture(cfg.arch)
    model_cfg = module.Config(**ckpt["model_cfg"])
    model = module.build(model_cfg, codes).to(device)
    model.load_state_dict(ckpt["model"])
    return model, model_cfg, cfg, codes, ckpt


@torch.no_grad()
def evaluate(model, codes, cfg: TrainConfig, generator):
    """BER of the model and of the hard decision on all-zero frames, per code and Eb/N0 in cfg.eval_ebn0."""
    model.eval()
    rows = []
    for index, code in enumerate(codes):
        for ebn0 in cfg.eval_ebn0:
            errors = hard_errors = bits = 0
            for _ in range(max(1, cfg.eval_frames // cfg.eval_batch)):
                batch = sample_code_batch(code, cfg.eval_batch, ebn0, ebn0, generator, cfg.device)
                bits_sent = (batch.x < 0).float()  # all zero, except for punctured codes' random codewords
                errors += (decide(batch.llr, model(batch.llr, index)) != bits_sent).sum().item()
                hard_errors += (hard_bits(batch.llr) != bits_sent).sum().item()
                bits += batch.llr.numel()
            rows.append((code.name, ebn0, errors / bits, hard_errors / bits, int(errors), bits))
    model.train()
    return rows


def device_name(device):
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    threads = torch.get_num_threads()
    return f"CPU, {threads} thread{'' if threads == 1 else 's'} ({os.cpu_count()} cores)"


def neg_ln(ber):
    return -math.log(ber) if ber > 0 else float("inf")


def save_checkpoint(path, model, model_cfg, cfg, optimizer, step, wall_s):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "model_cfg": asdict(model_cfg), "train_cfg": asdict(cfg),
                "optimizer": optimizer.state_dict(), "step": step, "wall_s": wall_s,
                "device": device_name(cfg.device), "rng": torch.get_rng_state()}, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint


def main(argv):
    cfg, resume = parse_config(argv)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    codes = [load_code(spec) for spec in cfg.codes]
    model, model_cfg = build_model(cfg, codes)
    model.to(cfg.device)
    if cfg.init_from:
        model.load_state_dict(torch.load(cfg.init_from, map_location=cfg.device)["model"])
        print(f"weights from {cfg.init_from}")
    objective = HybridObjective(cfg.hybrid, codes) if cfg.hybrid else None
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    os.makedirs(cfg.out_dir, exist_ok=True)
    ckpt_path = os.path.join(cfg.out_dir, "ckpt.pt")
    step, wall = 0, 0.0
    if resume:
        ckpt = torch.load(ckpt_path, map_location="cpu")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        torch.set_rng_state(ckpt["rng"])
        step = ckpt["step"]
        wall = ckpt.get("wall_s", 0.0)
        print(f"resumed from {ckpt_path} at step {step}")
    for code in codes:
        print(f"{code.name}: n={code.n} m={code.m} k={code.k}")
    print(f"{cfg.arch} {asdict(model_cfg)} | {sum(p.numel() for p in model.parameters())} parameters | "
          f"Eb/N0 {cfg.ebn0_low}..{cfg.ebn0_high} dB per sample | device {cfg.device}")

    running_loss = running_ber = running_hard_ber = None
    smoothing = 0.9
    t0, last_step = time.time(), step
    started = time.time() - wall  # wall-clock origin, resumed runs included
    while step < cfg.max_steps and not (cfg.max_minutes > 0 and time.time() - started >= 60.0 * cfg.max_minutes):
        lr = learning_rate(step, cfg, time.time() - started)
        for group in optimizer.param_groups:
            group["lr"] = lr
        code_index = int(torch.randint(len(codes), (1,))) if len(codes) > 1 else 0
        code = codes[code_index]
        if objective is None:
            batch = sample_code_batch(code, cfg.batch_size, cfg.ebn0_low, cfg.ebn0_high, device=cfg.device)
            loss, logits = model.loss(batch, code_index)
        else:
            loss, logits, batch = objective.step(model, code, code_index, cfg.batch_size, cfg.ebn0_low, cfg.ebn0_high, cfg.device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        step += 1

        with torch.no_grad():
            ber = (decide(batch.llr, logits) != (batch.x < 0).float()).float().mean().item()
            hard_ber = (hard_bits(batch.llr) != (batch.x < 0).float()).float().mean().item()
        blend = lambda old, new: new if old is None else smoothing * old + (1 - smoothing) * new  # noqa: E731
        running_loss = blend(running_loss, loss.item())
        running_ber = blend(running_ber, ber)
        running_hard_ber = blend(running_hard_ber, hard_ber)
        if step % cfg.log_every == 0 or step == cfg.max_steps:
            now = time.time()
            print(f"step {step:6d} | {(step - last_step) / (now - t0):6.1f} steps/s | lr {lr:.2e} | "
                  f"loss {running_loss:.4f} | BER {running_ber:.4e} (hard {running_hard_ber:.4e}, "
                  f"Eb/N0 {cfg.ebn0_low}..{cfg.ebn0_high})", flush=True)
            t0, last_step = now, step
        if step % cfg.checkpoint_every == 0 or step == cfg.max_steps:
            save_checkpoint(ckpt_path, model, model_cfg, cfg, optimizer, step, time.time() - started)

    save_checkpoint(ckpt_path, model, model_cfg, cfg, optimizer, step, time.time() - started)
    print(f"trained {step} steps in {(time.time() - started) / 60:.1f} min")
    generator = torch.Generator().manual_seed(cfg.seed + 1_000_003)  # eval draws apart from training
    print(f"eval: {cfg.eval_frames} all-zero frames per point (checkpoint {ckpt_path})")
    for name, ebn0, ber, hard_ber, errors, bits in evaluate(model, codes, cfg, generator):
        print(f"  {name} Eb/N0 {ebn0:.1f} dB | model BER {ber:.3e} -ln {neg_ln(ber):.2f} ({errors} bit errors / {bits}) "
              f"| hard decision BER {hard_ber:.3e} -ln {neg_ln(hard_ber):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
