"""Train a neural decoder on all-zero codewords over BPSK-AWGN (nanoGPT-style loop).

  /usr/bin/python3 train/train.py [config/file.py|file.json] [--key=value ...] [--resume]

Config: TrainConfig below; a config file (Python assignments or a JSON object) and then
--key=value flags override it (--model.d_model=64 sets one model field). The architecture is a
module train/<arch>.py with Config, build(cfg, codes) and a model with forward/loss/export.
Multi-code architectures (FECCT) train on every code in `codes`, one code drawn per step.
Checkpoint (out_dir/ckpt.pt) holds weights, their EMA, both configs, optimizer, step, RNG states and
the budget of every run that made it, so a loader rebuilds the net (load_checkpoint) and --resume
continues the run on any machine. Validation -ln(BER) at fixed step counts goes to
out_dir/curve.jsonl (the learning curve of the model card). `loop` is the one training loop:
train/sap.py runs its LoRA recovery through it too.
"""
import copy
import datetime
import importlib
import json
import math
import os
import random
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
    schedule: str = "cosine"       # "cosine": warm-up, cosine to min_lr over max_steps/max_minutes; "constant": lr after
                                   # warm-up, for open-ended campaigns (the EMA then does the averaging)
    ema: float = 0.0               # decay of an exponential moving average of the weights (0 = off; ECCFM paper 0.999);
                                   # validation and export use the EMA weights when it is on
    val_every: int = 0             # steps between validation points (0 = off), a line per code and Eb/N0 in curve.jsonl
    val_ebn0: tuple = (4.0, 5.0, 6.0)
    val_frames: int = 4000         # per validation point, the same frames every time (seeded apart from training)
    slice_minutes: float = 0.0     # this process stops after that long, checkpoint saved, without shaping the LR (campaigns)


def parse_config(argv, cfg=None):
    """(config, resume): a config dataclass (TrainConfig unless given) overridden by config files (Python
    assignments or a JSON object) and then --key=value flags, --field.key=value for one key of a dict field
    (--model.d_model=64). train/sap.py parses its options through this too."""
    cfg, resume = (cfg if cfg is not None else TrainConfig()), False
    known = {f.name: f for f in fields(cfg)}
    overrides = {}
    for arg in argv:
        if arg == "--resume":
            resume = True
        elif arg.startswith("--") and "." in arg.partition("=")[0] and arg[2:].partition(".")[0] in known:
            group, _, rest = arg[2:].partition(".")
            key, _, value = rest.partition("=")
            overrides.setdefault(group, dict(getattr(cfg, group)))[key] = _literal(value)
        elif arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            if key not in known:
                raise SystemExit(f"unknown config key: {key}: known are {', '.join(sorted(known))}")
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
            raise SystemExit(f"unknown config key: {key}: known are {', '.join(sorted(known))}")
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
    """Linear warm-up, then cosine from lr to min_lr over max_steps (or over max_minutes if that ends first),
    or constant lr (schedule "constant")."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return cfg.lr
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


def load_checkpoint(path, device="cpu", weights="best"):
    """(model, model config, train config, codes, checkpoint dict) rebuilt from out_dir/ckpt.pt.

    weights "best" loads the EMA of the weights where the run kept one (what validation measured), "raw" the
    optimizer's weights (what --resume continues)."""
    ckpt = torch.load(path, map_location=device)
    cfg = TrainConfig(**{k: tuple(v) if isinstance(getattr(TrainConfig, k, None), tuple) else v
                         for k, v in ckpt["train_cfg"].items() if k in {f.name for f in fields(TrainConfig)}})
    codes = [load_code(spec) for spec in cfg.codes]
    module = architecture(cfg.arch)
    model_cfg = module.Config(**ckpt["model_cfg"])
    model = module.build(model_cfg, codes).to(device)
    model.load_state_dict(ckpt["ema"] if weights == "best" and ckpt.get("ema") else ckpt["model"])
    return model, model_cfg, cfg, codes, ckpt


@torch.no_grad()
def evaluate(model, codes, ebn0s, frames, batch_size, generator, device="cpu"):
    """BER of the model and of the hard decision on all-zero frames, per code and Eb/N0.

    Rows (code name, Eb/N0, model BER, hard-decision BER, model bit errors, bits)."""
    was_training = model.training
    model.eval()
    rows = []
    for index, code in enumerate(codes):
        for ebn0 in ebn0s:
            errors = torch.zeros((), device=device)
            hard_errors = torch.zeros((), device=device)
            bits = 0
            for _ in range(max(1, frames // batch_size)):
                batch = sample_code_batch(code, batch_size, ebn0, ebn0, generator, device)
                bits_sent = (batch.x < 0).float()  # all zero, except for punctured codes' random codewords
                errors += (decide(batch.llr, model(batch.llr, index)) != bits_sent).sum()
                hard_errors += (hard_bits(batch.llr) != bits_sent).sum()
                bits += batch.llr.numel()
            errors, hard_errors = int(errors.item()), int(hard_errors.item())
            rows.append((code.name, ebn0, errors / bits, hard_errors / bits, errors, bits))
    model.train(was_training)
    return rows


def device_name(device):
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    threads = torch.get_num_threads()
    return f"CPU, {threads} thread{'' if threads == 1 else 's'} ({os.cpu_count()} cores)"


def neg_ln(ber):
    return -math.log(ber) if ber > 0 else float("inf")


def rng_state(device):
    """Every random stream a run draws from, so a resumed run continues as if it had never stopped."""
    state = {"torch": torch.get_rng_state(), "python": random.getstate()}
    if device.startswith("cuda"):
        state["cuda"] = torch.cuda.get_rng_state(torch.device(device))
    return state


def set_rng_state(state, device):
    if isinstance(state, torch.Tensor):  # checkpoints written before the RNG dictionary
        torch.set_rng_state(state)
        return
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    if "cuda" in state and device.startswith("cuda"):
        torch.cuda.set_rng_state(state["cuda"], torch.device(device))


class WeightAverage:
    """Exponential moving average of a model's floating-point state (weights and buffers), updated in place."""

    def __init__(self, model, decay, state=None):
        self.decay = decay
        self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if state:
            for k, v in state.items():
                self.state[k].copy_(v)
        live = model.state_dict()
        floating = [k for k, v in live.items() if v.is_floating_point()]
        self.averaged = [self.state[k] for k in floating]
        self.sources = [live[k] for k in floating]

    @torch.no_grad()
    def update(self):
        torch._foreach_mul_(self.averaged, self.decay)
        torch._foreach_add_(self.averaged, self.sources, alpha=1.0 - self.decay)


@dataclass
class Run:
    """What a run carries across restarts: the step, total wall seconds, one budget segment per process, and the
    best validation point so far ({"step", "score"}, score = mean -ln(BER) over the validation points)."""
    step: int = 0
    wall_s: float = 0.0
    budget: list = field(default_factory=list)
    best: dict = field(default_factory=dict)


def save_checkpoint(path, model, model_cfg, cfg, optimizer, run: Run, average=None):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "ema": average.state if average else None,
                "model_cfg": asdict(model_cfg) if model_cfg is not None else {}, "train_cfg": asdict(cfg),
                "optimizer": optimizer.state_dict(), "step": run.step, "wall_s": run.wall_s,
                "budget": run.budget, "best": run.best,
                "device": device_name(cfg.device), "rng": rng_state(cfg.device)}, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint


def budget_totals(budget):
    """Steps, frames, wall seconds, CPU seconds and the devices over every segment of a budget list."""
    totals = {"steps": 0, "frames": 0, "wall_s": 0.0, "cpu_s": 0.0, "devices": []}
    for segment in budget:
        totals["steps"] += segment["steps"]
        totals["frames"] += segment.get("frames", 0)
        totals["wall_s"] += segment["wall_s"]
        totals["cpu_s"] += segment.get("cpu_s", 0.0)
        if segment["device"] not in totals["devices"]:
            totals["devices"].append(segment["device"])
    return totals


def append_curve(out_dir, run: Run, rows, weights):
    """One line per (code, Eb/N0) of a validation point into out_dir/curve.jsonl; returns the mean -ln(BER)."""
    totals = budget_totals(run.budget)
    with open(os.path.join(out_dir, "curve.jsonl"), "a") as f:
        for name, ebn0, ber, hard_ber, errors, bits in rows:
            f.write(json.dumps({"step": run.step, "total_steps": totals["steps"], "frames": totals["frames"],
                                "wall_s": round(totals["wall_s"], 1), "cpu_s": round(totals["cpu_s"], 1),
                                "code": name, "ebn0_db": ebn0, "weights": weights, "ber": ber,
                                "neg_ln_ber": round(min(neg_ln(ber), 99.0), 4), "bit_errors": errors, "bits": bits,
                                "hard_ber": hard_ber}) + "\n")
    return sum(min(neg_ln(row[2]), 30.0) for row in rows) / len(rows)


def loop(model, step_loss, cfg: TrainConfig, parameters=None, model_cfg=None, codes=(), resume=False, prior_budget=(),
         log=print):
    """The training loop every script here uses.

    step_loss(step) -> (loss, logits, batch) draws a batch and computes the objective. Adam on `parameters`
    (default: all of the model's), warm-up + cosine or constant LR, optional gradient clipping and weight EMA,
    running loss/BER without a host synchronisation per step (statistics stay on the device until a log line),
    validation on `codes` every val_every steps into out_dir/curve.jsonl, checkpoints every checkpoint_every steps
    (out_dir empty: none), stop at max_steps, max_minutes (whole run) or slice_minutes (this process).
    prior_budget: the segments of the runs a fork starts from (init_from), so a card's budget sums every run.
    Returns the Run (step, wall seconds, budget); the model holds the EMA weights afterwards when ema is on."""
    parameters = list(parameters if parameters is not None else model.parameters())
    optimizer = torch.optim.Adam(parameters, lr=cfg.lr)
    run = Run(budget=[dict(segment) for segment in prior_budget])
    ckpt_path = os.path.join(cfg.out_dir, "ckpt.pt") if cfg.out_dir else ""
    if ckpt_path:
        os.makedirs(cfg.out_dir, exist_ok=True)
    ema_state = None
    if resume:
        ckpt = torch.load(ckpt_path, map_location=cfg.device)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        set_rng_state(ckpt["rng"], cfg.device)
        run = Run(step=ckpt["step"], wall_s=ckpt.get("wall_s", 0.0), best=ckpt.get("best") or {},
                  budget=ckpt.get("budget") or [{"device": ckpt.get("device", "unknown"), "steps": ckpt["step"],
                                                 "wall_s": ckpt.get("wall_s", 0.0), "date": "before budgets"}])
        ema_state = ckpt.get("ema")
        log(f"resumed from {ckpt_path} at step {run.step}")
    average = WeightAverage(model, cfg.ema, ema_state) if cfg.ema > 0 else None
    evaluated = copy.deepcopy(model) if average else model
    validating = bool(cfg.val_every and codes and cfg.out_dir)
    validation = torch.Generator().manual_seed(cfg.seed + 2_000_003)  # the same frames at every validation point
    segment = {"device": device_name(cfg.device), "steps": 0, "frames": 0, "wall_s": 0.0, "cpu_s": 0.0,
               "date": datetime.date.today().isoformat()}
    run.budget.append(segment)
    stats = torch.zeros(4, device=cfg.device)  # loss sum, model bit errors, hard-decision bit errors, bits
    steps_since_log = 0
    t0 = process_start = time.time()
    cpu0 = time.process_time()
    wall0 = run.wall_s

    def account():
        segment["wall_s"] = round(time.time() - process_start, 1)
        segment["cpu_s"] = round(time.process_time() - cpu0, 1)
        run.wall_s = wall0 + segment["wall_s"]

    def validate():
        account()
        if average:
            evaluated.load_state_dict(average.state)
        generator = torch.Generator().set_state(validation.get_state())
        rows = evaluate(evaluated, codes, cfg.val_ebn0, cfg.val_frames, min(cfg.eval_batch, cfg.val_frames),
                        generator, cfg.device)
        score = append_curve(cfg.out_dir, run, rows, "ema" if average else "raw")
        if not run.best or score > run.best["score"]:
            run.best = {"step": run.step, "score": round(score, 4)}
        log(f"  validation step {run.step} | " + " | ".join(
            f"{name} {ebn0:g} dB -ln(BER) {neg_ln(ber):.2f}" for name, ebn0, ber, _, _, _ in rows))

    def save():
        account()
        if ckpt_path:
            save_checkpoint(ckpt_path, model, model_cfg, cfg, optimizer, run, average)

    def time_left():
        elapsed = time.time() - process_start
        if cfg.slice_minutes > 0 and elapsed >= 60.0 * cfg.slice_minutes:
            return False
        return not (cfg.max_minutes > 0 and wall0 + elapsed >= 60.0 * cfg.max_minutes)

    if validating and run.step == 0:
        validate()  # the starting point of the curve
    model.train()
    while run.step < cfg.max_steps and time_left():
        lr = learning_rate(run.step, cfg, wall0 + time.time() - process_start)
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss, logits, batch = step_loss(run.step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(parameters, cfg.grad_clip)
        optimizer.step()
        if average:
            average.update()
        run.step += 1
        segment["steps"] += 1
        segment["frames"] += cfg.batch_size
        steps_since_log += 1
        with torch.no_grad():
            sent = (batch.x < 0).float()
            stats[0] += loss.detach()
            stats[1] += (decide(batch.llr, logits) != sent).sum()
            stats[2] += (hard_bits(batch.llr) != sent).sum()
            stats[3] += sent.numel()
        if run.step % cfg.log_every == 0 or run.step == cfg.max_steps:
            loss_sum, errors, hard_errors, bits = stats.tolist()  # the one host synchronisation per log line
            now = time.time()
            log(f"step {run.step:6d} | {steps_since_log / (now - t0):6.1f} steps/s | lr {lr:.2e} | "
                f"loss {loss_sum / steps_since_log:.4f} | BER {errors / bits:.4e} (hard {hard_errors / bits:.4e}, "
                f"Eb/N0 {cfg.ebn0_low}..{cfg.ebn0_high})")
            stats.zero_()
            t0, steps_since_log = now, 0
        if validating and run.step % cfg.val_every == 0:
            validate()
        if run.step % cfg.checkpoint_every == 0:
            save()
    save()
    if average:
        model.load_state_dict(average.state)  # what the run hands on is what validation measured
    model.eval()
    return run


def initial_weights(path, device="cpu"):
    """(state dict, budget segments) a fork starts from: a checkpoint (its EMA where it kept one) or an exported
    model folder (its manifest's budget)."""
    if os.path.isdir(path) and os.path.exists(os.path.join(path, "model.safetensors")):
        from export import load_safetensors
        with open(os.path.join(path, "manifest.json")) as f:
            budget = json.load(f).get("budget", {})
        segments = budget.get("segments") or [{"device": budget.get("device", "unknown"), "steps": budget.get("steps", 0),
                                               "frames": budget.get("samples", 0), "wall_s": budget.get("wall_s", 0.0),
                                               "cpu_s": budget.get("wall_s", 0.0) * budget.get("threads", 1),
                                               "date": f"before, as {os.path.basename(os.path.normpath(path))}"}]
        return load_safetensors(os.path.join(path, "model.safetensors")), segments
    if os.path.isdir(path):
        path = os.path.join(path, "ckpt.pt")
    ckpt = torch.load(path, map_location=device)
    segments = ckpt.get("budget") or [{"device": ckpt.get("device", "unknown"), "steps": ckpt["step"],
                                       "wall_s": ckpt.get("wall_s", 0.0), "date": "before budgets"}]
    return ckpt.get("ema") or ckpt["model"], segments


def main(argv):
    cfg, resume = parse_config(argv)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    codes = [load_code(spec) for spec in cfg.codes]
    model, model_cfg = build_model(cfg, codes)
    model.to(cfg.device)
    prior_budget = []
    if cfg.init_from and not resume:
        state, prior_budget = initial_weights(cfg.init_from, cfg.device)
        model.load_state_dict(state)
        print(f"weights from {cfg.init_from} ({budget_totals(prior_budget)['steps']} steps before)")
    objective = HybridObjective(cfg.hybrid, codes) if cfg.hybrid else None
    for code in codes:
        print(f"{code.name}: n={code.n} m={code.m} k={code.k}")
    print(f"{cfg.arch} {asdict(model_cfg)} | {sum(p.numel() for p in model.parameters())} parameters | "
          f"Eb/N0 {cfg.ebn0_low}..{cfg.ebn0_high} dB per sample | device {cfg.device}", flush=True)

    def step_loss(step):
        code_index = int(torch.randint(len(codes), (1,))) if len(codes) > 1 else 0
        code = codes[code_index]
        if objective is not None:
            return objective.step(model, code, code_index, cfg.batch_size, cfg.ebn0_low, cfg.ebn0_high, cfg.device)
        batch = sample_code_batch(code, cfg.batch_size, cfg.ebn0_low, cfg.ebn0_high, device=cfg.device)
        loss, logits = model.loss(batch, code_index)
        return loss, logits, batch

    run = loop(model, step_loss, cfg, model_cfg=model_cfg, codes=codes, resume=resume, prior_budget=prior_budget,
               log=lambda line: print(line, flush=True))
    segment = run.budget[-1]
    print(f"trained {segment['steps']} steps in {segment['wall_s'] / 60:.1f} min (run total {run.step} steps, "
          f"{run.wall_s / 60:.1f} min)")
    if cfg.eval_frames <= 0:
        return
    generator = torch.Generator().manual_seed(cfg.seed + 1_000_003)  # eval draws apart from training
    print(f"eval: {cfg.eval_frames} all-zero frames per point ({'EMA' if cfg.ema > 0 else 'trained'} weights)")
    rows = evaluate(model, codes, cfg.eval_ebn0, cfg.eval_frames, cfg.eval_batch, generator, cfg.device)
    for name, ebn0, ber, hard_ber, errors, bits in rows:
        print(f"  {name} Eb/N0 {ebn0:.1f} dB | model BER {ber:.3e} -ln {neg_ln(ber):.2f} ({errors} bit errors / {bits}) "
              f"| hard decision BER {hard_ber:.3e} -ln {neg_ln(hard_ber):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
