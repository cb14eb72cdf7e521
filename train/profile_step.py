"""Where a training step's time goes: ms per step and torch profiler's table of operators.

  /usr/bin/python3 train/profile_step.py CONFIG [--key=value ...] [--steps=30] [--table=20]

CONFIG and --key=value are train.py's (same TrainConfig, same model); --steps timed steps after 5 warm-up steps,
--table the number of operator rows (0: none). Runs in the process set-up train.py uses (one OpenBLAS thread,
jemalloc), on cfg.threads threads.
"""
import os
import sys
import time

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from cpuenv import fast_cpu_environment
    fast_cpu_environment()

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from channel import sample_code_batch  # noqa: E402
from codes import load_code  # noqa: E402
from train import build_model, parse_config  # noqa: E402


def main(argv):
    steps, rows = 30, 20
    rest = []
    for arg in argv:
        if arg.startswith("--steps="):
            steps = int(arg.split("=", 1)[1])
        elif arg.startswith("--table="):
            rows = int(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    cfg, _ = parse_config(rest)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    codes = [load_code(spec) for spec in cfg.codes]
    model, model_cfg = build_model(cfg, codes)
    model.to(cfg.device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)

    def step():
        batch = sample_code_batch(codes[0], cfg.batch_size, cfg.ebn0_low, cfg.ebn0_high, device=cfg.device)
        loss, _ = model.loss(batch, 0)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    for _ in range(5):
        step()
    started = time.time()
    for _ in range(steps):
        step()
    seconds = (time.time() - started) / steps
    print(f"{cfg.arch} {codes[0].name} N={model_cfg.n_layers} d={model_cfg.d_model} batch {cfg.batch_size} "
          f"threads {cfg.threads}: {1000 * seconds:.1f} ms/step, {1 / seconds:.2f} steps/s")
    if rows:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
            for _ in range(10):
                step()
        print(profile.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows))


if __name__ == "__main__":
    main(sys.argv[1:])
