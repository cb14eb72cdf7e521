"""The training campaign: flagship models trained slice after slice until their targets are met.

  /usr/bin/python3 train/campaign.py run [--hours=H] [--slice_minutes=30] [--only=a,b] [--commit] [--plan=FILE]
  /usr/bin/python3 train/campaign.py status [--json]
  /usr/bin/python3 train/campaign.py export NAME [--as=MODEL_NAME] [--models_dir=models]
  /usr/bin/python3 train/campaign.py gpu [--device=cuda] [--minutes=9] [--models_dir=models] [--set="k=v;k=v"] [--no_eval]

The plan (train/config/campaign.py) lists train.py runs. Each lives in campaign/<name>/: ckpt.pt (weights, EMA,
optimizer, step, RNG states, budget of every slice), curve.jsonl (validation -ln(BER) at fixed step counts) and
train.log. A slice is one `train.py CONFIG --resume --slice_minutes=S` process on one thread; the entries take
turns, entries whose targets are met are skipped. With --commit every slice ends with a git commit of its folder,
so a fresh machine (git clone) continues where the last one stopped. `export` writes the entry's EMA weights
into models/<name>/ (then scripts/measure-model.sh measures the card's table with ./receiver eval).
`gpu` is the GPU recipe (train/config/campaign_gpu.py): every flagship at the papers' size side by side on one GPU
within a wall-clock budget, exported into models/ with cards that name the GPU.
"""
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(ROOT, "train", "train.py")


def load_plan(path):
    scope = {}
    with open(path) as f:
        exec(f.read(), {}, scope)
    return scope["entries"]


def folder(entry):
    return os.path.join(ROOT, "campaign", entry["name"])


def curve(entry):
    """Validation rows of an entry, in order."""
    path = os.path.join(folder(entry), "curve.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def bp50_reference(model_folder, code, ebn0):
    """BP-50's -ln(BER) from ./receiver eval rows in a model folder (the run with the most frame errors)."""
    best = None
    eval_dir = os.path.join(ROOT, model_folder, "eval")
    if not os.path.isdir(eval_dir):
        return None
    for name in sorted(os.listdir(eval_dir)):
        if not (name.startswith(code.replace(":", "_").replace(",", "_") + ".bp50") and name.endswith(".jsonl")):
            continue
        with open(os.path.join(eval_dir, name)) as f:
            for line in f:
                row = json.loads(line)
                if row["ebn0_db"] == ebn0 and (best is None or row["frame_errors"] > best["frame_errors"]):
                    best = row
    return best["neg_ln_ber"] if best else None


def target_status(entry, rows):
    """[(target, current validation -ln(BER), needed value, met)] for an entry's targets."""
    result = []
    for target in entry["targets"]:
        points = target_points(rows, target)
        current = points[-1]["neg_ln_ber"] if points else None
        if target["kind"] == "gain":
            needed = points[0]["neg_ln_ber"] + target["margin"] if points else None
        else:
            reference = bp50_reference(target["reference"], target["code"], target["ebn0"])
            needed = reference + target["margin"] if reference is not None else None
        met = current is not None and needed is not None and current >= needed
        result.append((target, current, needed, met))
    return result


def extrapolate(points, needed):
    """A learning curve's verdict on a target: fits -ln(BER) = a + b ln(steps) to the later half of the validation
    points (at least three; the steep start of a curve would flatter the fit) and returns the slope b (gain per
    e-fold of steps), the total steps where the fit reaches `needed` and the CPU-hours still to spend at the recent
    rate. Steps are None where the fit is flat (b < 0.02: a hundred times the steps would gain under 0.1)."""
    import math
    if needed is None or len(points) < 3:
        return None
    fit = points[-max(3, (len(points) + 1) // 2):]
    xs = [math.log(max(1, p["total_steps"])) for p in fit]
    ys = [p["neg_ln_ber"] for p in fit]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    if b < 0.02:
        return {"slope": b, "steps": None, "cpu_hours": None}
    steps = math.exp(min(50.0, (needed - a) / b))
    cpu_per_step = (fit[-1]["cpu_s"] - fit[0]["cpu_s"]) / max(1, fit[-1]["total_steps"] - fit[0]["total_steps"])
    more = max(0.0, steps - fit[-1]["total_steps"]) * cpu_per_step / 3600
    return {"slope": b, "steps": int(steps), "cpu_hours": more}


def target_points(rows, target):
    return [r for r in rows if r["code"] == target["code"] and r["ebn0_db"] == target["ebn0"]]


def checkpoint_summary(entry):
    path = os.path.join(folder(entry), "ckpt.pt")
    if not os.path.exists(path):
        return None
    import torch
    ckpt = torch.load(path, map_location="cpu")
    sys.path.insert(0, os.path.join(ROOT, "train"))
    from train import budget_totals
    return {"step": ckpt["step"], "best": ckpt.get("best"), **budget_totals(ckpt.get("budget") or [])}


def cmd_status(plan, options):
    report = []
    for entry in plan:
        rows = curve(entry)
        summary = checkpoint_summary(entry)
        targets = target_status(entry, rows)
        report.append({"name": entry["name"], "checkpoint": summary, "targets": [
            {"code": t["code"], "ebn0_db": t["ebn0"], "kind": t["kind"], "margin": t["margin"],
             "validation": current, "needed": needed, "met": met,
             "extrapolated": None if met else extrapolate(target_points(rows, t), needed)}
            for t, current, needed, met in targets]})
    if options.get("json"):
        print(json.dumps(report, indent=2))
        return report
    for item in report:
        c = item["checkpoint"]
        budget = (f"step {c['step']}, {c['steps']} steps in all, {c['wall_s'] / 3600:.2f} h wall, "
                  f"{c['cpu_s'] / 3600:.2f} CPU-h on {', '.join(c['devices'])}") if c else "not started"
        print(f"{item['name']}: {budget}")
        for t in item["targets"]:
            current = "-" if t["validation"] is None else f"{t['validation']:.2f}"
            needed = "-" if t["needed"] is None else f"{t['needed']:.2f}"
            print(f"  {t['code']} {t['ebn0_db']} dB: validation -ln(BER) {current}, target {needed} "
                  f"({t['kind']} {t['margin']:+g}) {'met' if t['met'] else 'open'}{verdict(t['extrapolated'])}")
    return report


def verdict(extrapolated):
    if not extrapolated:
        return ""
    if extrapolated["steps"] is None:
        return f"; flat at {extrapolated['slope']:+.3f} per e-fold of steps: not reached by more steps at this size"
    return (f"; fit {extrapolated['slope']:+.3f} per e-fold of steps reaches it near step {extrapolated['steps']:,}, "
            f"{extrapolated['cpu_hours']:.1f} more CPU-h")


def beyond_horizon(entry):
    """True when an entry has a horizon (max_extrapolated_cpu_hours) and its curve says no open target is reached
    within it: the campaign then spends its CPU on entries that convert it into targets."""
    horizon = entry.get("max_extrapolated_cpu_hours")
    if not horizon:
        return False
    rows = curve(entry)
    open_targets = [(target, needed) for target, _, needed, met in target_status(entry, rows) if not met]
    for target, needed in open_targets:
        guess = extrapolate(target_points(rows, target), needed)
        if guess is None or (guess["cpu_hours"] is not None and guess["cpu_hours"] <= horizon):
            return False
    return bool(open_targets)


def slice_command(entry, slice_minutes):
    """train.py for one slice of an entry, with paths relative to the repository (they land in the checkpoint and
    the manifest). init_from is passed every time: train.py uses it only when there is no checkpoint to resume."""
    out_dir = os.path.relpath(folder(entry), ROOT)
    command = [sys.executable, os.path.relpath(TRAIN, ROOT), entry["config"]]
    command += [f"--{k}={','.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                for k, v in entry["overrides"].items()]
    command += [f"--out_dir={out_dir}", f"--name={entry['name']}", f"--slice_minutes={slice_minutes}"]
    if entry.get("init_from"):
        command.append(f"--init_from={entry['init_from']}")
    if os.path.exists(os.path.join(folder(entry), "ckpt.pt")):
        command.append("--resume")
    return command


def seed_from_predecessor(entry):
    """An entry that `continues` an earlier one (a study whose size won) starts from a copy of that entry's checkpoint
    and learning curve, so its budget and curve carry on unbroken; the earlier folder stays as it was."""
    source = entry.get("continues")
    if not source or os.path.exists(os.path.join(folder(entry), "ckpt.pt")):
        return
    os.makedirs(folder(entry), exist_ok=True)
    for name in ("ckpt.pt", "curve.jsonl"):
        shutil.copyfile(os.path.join(ROOT, "campaign", source, name), os.path.join(folder(entry), name))
    with open(os.path.join(folder(entry), "train.log"), "a") as log:
        log.write(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} continues campaign/{source} (checkpoint and curve copied)\n")
    print(f"campaign: {entry['name']} continues {source}", flush=True)


def finished(entry):
    """An entry is done when every target is met, or when it has used its CPU-hour cap (studies)."""
    targets = target_status(entry, curve(entry))
    if targets and all(met for *_, met in targets):
        return True
    cap = entry.get("max_cpu_hours")
    summary = checkpoint_summary(entry) if cap else None
    return bool(cap and summary and summary["cpu_s"] >= 3600 * cap)


def minutes_for(entry, slice_minutes):
    """A slice, shortened to what is left of the entry's CPU-hour cap (one thread: CPU minutes ~ wall minutes)."""
    cap = entry.get("max_cpu_hours")
    summary = checkpoint_summary(entry) if cap else None
    if not summary:
        return slice_minutes
    return max(1.0, min(slice_minutes, (3600 * cap - summary["cpu_s"]) / 60))


def latest_validation(entry):
    rows = curve(entry)
    if not rows:
        return ""
    last = [r for r in rows if r["step"] == rows[-1]["step"]]
    return ", ".join(f"{r['code']} {r['ebn0_db']:g} dB {r['neg_ln_ber']:.2f}" for r in last)


def commit(entry, message, attempts=10):
    """Commits the entry's folder alone (other staged or unstaged work is left as it is); retries while another git
    command holds the index."""
    path = os.path.relpath(folder(entry), ROOT)
    for attempt in range(attempts):
        add = subprocess.run(["git", "add", "--", path], cwd=ROOT, capture_output=True, text=True)
        done = add.returncode == 0 and subprocess.run(
            ["git", "commit", "-q", "-m", message, "--", path], cwd=ROOT, capture_output=True, text=True).returncode == 0
        if done:
            return True
        time.sleep(30)
    print(f"campaign: could not commit {path} after {attempts} attempts", flush=True)
    return False


def cmd_run(plan, options):
    hours = float(options.get("hours", 0) or 0)
    slice_minutes = float(options.get("slice_minutes", 30))
    only = set(filter(None, options.get("only", "").split(",")))
    started = time.time()
    while not hours or time.time() - started < 3600 * hours:
        plan = load_plan(options.get("plan") or os.path.join(ROOT, "train", "config", "campaign.py"))  # edits apply next round
        for entry in plan:
            if not only or entry["name"] in only:
                seed_from_predecessor(entry)
        open_entries = [e for e in plan if (not only or e["name"] in only) and not finished(e)]
        if not open_entries:
            print("campaign: every target met", flush=True)
            return
        paused = [e["name"] for e in open_entries if beyond_horizon(e)]
        open_entries = [e for e in open_entries if e["name"] not in paused]
        if paused:
            print(f"campaign: paused (curve says targets lie beyond the horizon): {', '.join(paused)}", flush=True)
        if not open_entries:
            print("campaign: every open entry is beyond its horizon; see `campaign.py status`", flush=True)
            return
        for entry in open_entries:
            if hours and time.time() - started >= 3600 * hours:
                break
            os.makedirs(folder(entry), exist_ok=True)
            command = slice_command(entry, minutes_for(entry, slice_minutes))
            print(f"campaign: {entry['name']} slice of {slice_minutes:g} min", flush=True)
            with open(os.path.join(folder(entry), "train.log"), "a") as log:
                log.write(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command[1:])}\n")
                log.flush()
                code = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
            if code != 0:
                print(f"campaign: {entry['name']} slice failed (exit {code}), see {folder(entry)}/train.log", flush=True)
                continue
            summary = checkpoint_summary(entry)
            targets = target_status(entry, curve(entry))
            state = ", ".join(f"{t['code']} {t['ebn0']} dB {c:.2f}/{n:.2f}" for t, c, n, _ in targets
                              if c is not None and n is not None) or latest_validation(entry)
            print(f"campaign: {entry['name']} at step {summary['step']} | {state}", flush=True)
            if options.get("commit"):
                commit(entry, f"campaign: {entry['name']} at step {summary['step']} ({state or 'no validation yet'})")


def cmd_gpu(options):
    """Every entry of the GPU plan at once, one process each on the same device, cosine over --minutes, then export
    into models/ and a card per model (measured by ./receiver eval where .NET is at hand, else the command to run)."""
    plan = load_plan(options.get("plan") or os.path.join(ROOT, "train", "config", "campaign_gpu.py"))
    device, minutes = options.get("device", "cuda"), float(options.get("minutes", 9))
    out = os.path.join(ROOT, options.get("out", os.path.join("out", "gpu")))
    models_dir = options.get("models_dir", os.path.join(ROOT, "models"))
    extra = [f"--{item}" for item in filter(None, str(options.get("set", "")).split(";"))]  # e.g. model.d_model=16
    processes = []
    for entry in plan:
        run_dir = os.path.join(out, entry["name"])
        os.makedirs(run_dir, exist_ok=True)
        command = [sys.executable, TRAIN, os.path.join(ROOT, entry["config"])]
        command += [f"--{k}={v}" for k, v in entry["overrides"].items()] + extra
        command += [f"--device={device}", f"--max_minutes={minutes}", f"--out_dir={run_dir}", f"--name={entry['name']}"]
        log = open(os.path.join(run_dir, "train.log"), "w")
        print(f"gpu recipe: {entry['name']} on {device} for {minutes:g} min (log {run_dir}/train.log)", flush=True)
        processes.append((entry, subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log))
    failed = []
    for entry, process, log in processes:
        if process.wait() != 0:
            failed.append(entry["name"])
        log.close()
    sys.path.insert(0, os.path.join(ROOT, "train"))
    from export import export
    exported = []
    for entry, _, _ in processes:
        if entry["name"] in failed:
            print(f"gpu recipe: {entry['name']} failed, see {out}/{entry['name']}/train.log", flush=True)
            continue
        exported.append(export(os.path.join(out, entry["name"], "ckpt.pt"), name=entry["name"], models_dir=models_dir))
    measure = os.path.join(ROOT, "scripts", "measure-model.sh")
    can_measure = os.path.exists(os.path.join(ROOT, "receiver")) and shutil.which("dotnet") and not options.get("no_eval")
    for model_folder in exported:
        if can_measure:
            subprocess.run([measure, model_folder], cwd=ROOT, check=False)
        else:
            subprocess.run([sys.executable, os.path.join(ROOT, "train", "card.py"), model_folder], cwd=ROOT, check=False)
            print(f"gpu recipe: wrote {model_folder} without ./receiver eval rows; measure it where .NET runs: "
                  f"scripts/measure-model.sh {os.path.relpath(model_folder, ROOT)}", flush=True)
    if failed:
        raise SystemExit(f"gpu recipe: {len(failed)} of {len(processes)} runs failed: {', '.join(failed)}")
    return exported


def cmd_export(plan, name, options):
    entry = next((e for e in plan if e["name"] == name), None)
    if entry is None:
        raise SystemExit(f"no campaign entry '{name}': known are {', '.join(e['name'] for e in plan)}")
    sys.path.insert(0, os.path.join(ROOT, "train"))
    from export import export
    return export(os.path.join(folder(entry), "ckpt.pt"), name=options.get("as") or name,
                  models_dir=options.get("models_dir", os.path.join(ROOT, "models")))


def main(argv):
    options, positional = {}, []
    for arg in argv:
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            options[key] = value if value else True
        else:
            positional.append(arg)
    if not positional or positional[0] not in ("run", "status", "export", "gpu"):
        raise SystemExit(__doc__)
    if positional[0] == "gpu":
        cmd_gpu(options)
        return
    plan = load_plan(options.get("plan", os.path.join(ROOT, "train", "config", "campaign.py")))
    if positional[0] == "run":
        cmd_run(plan, options)
    elif positional[0] == "status":
        cmd_status(plan, options)
    else:
        if len(positional) != 2:
            raise SystemExit("usage: campaign.py export NAME [--as=MODEL_NAME] [--models_dir=models]")
        cmd_export(plan, positional[1], options)


if __name__ == "__main__":
    main(sys.argv[1:])
