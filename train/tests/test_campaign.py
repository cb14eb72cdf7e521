"""The resumable training loop and the campaign around it, on tiny budgets (/usr/bin/python3 train/tests/test_campaign.py)."""
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import campaign  # noqa: E402
import train  # noqa: E402

TINY = ["train/config/ecct_ldpc49_smoke.py", "--model.d_model=16", "--model.n_heads=2", "--threads=1",
        "--eval_frames=0", "--log_every=4", "--schedule=constant", "--lr=1e-3", "--warmup_steps=2", "--ema=0.9",
        "--val_every=4", "--val_frames=100", "--eval_batch=100", "--checkpoint_every=4"]


def test_resumed_run_equals_an_unbroken_run():
    with tempfile.TemporaryDirectory() as folder:
        train.main(TINY + ["--max_steps=12", f"--out_dir={folder}/straight"])
        train.main(TINY + ["--max_steps=6", f"--out_dir={folder}/broken"])
        train.main(TINY + ["--max_steps=12", f"--out_dir={folder}/broken", "--resume"])
        straight, broken = (torch.load(f"{folder}/{name}/ckpt.pt") for name in ("straight", "broken"))
        assert straight["step"] == broken["step"] == 12
        for key in ("model", "ema"):
            assert all(torch.equal(straight[key][k], broken[key][k]) for k in straight[key]), key
        assert [s["steps"] for s in broken["budget"]] == [6, 6] and [s["steps"] for s in straight["budget"]] == [12]
        assert train.budget_totals(broken["budget"])["frames"] == 12 * 128


def test_validation_curve_at_fixed_steps_with_the_ema_weights():
    with tempfile.TemporaryDirectory() as folder:
        train.main(TINY + ["--max_steps=8", f"--out_dir={folder}/run"])
        with open(f"{folder}/run/curve.jsonl") as f:
            rows = [json.loads(line) for line in f]
        assert [r["step"] for r in rows] == [0, 0, 0, 4, 4, 4, 8, 8, 8]
        assert {r["ebn0_db"] for r in rows} == {4.0, 5.0, 6.0} and all(r["weights"] == "ema" for r in rows)
        assert all(r["bits"] == 100 * 49 and 0.0 <= r["ber"] <= 1.0 for r in rows)
        ckpt = torch.load(f"{folder}/run/ckpt.pt")
        assert ckpt["best"]["step"] in (0, 4, 8)
        model, *_ = train.load_checkpoint(f"{folder}/run/ckpt.pt")  # the EMA weights, what validation measured
        assert all(torch.equal(model.state_dict()[k], ckpt["ema"][k]) for k in ckpt["ema"])


def test_fork_from_a_model_folder_counts_its_budget():
    with tempfile.TemporaryDirectory() as folder:
        train.main(TINY + ["--max_steps=2", f"--out_dir={folder}/base", "--val_every=0"])
        from export import export
        base = export(f"{folder}/base", name="base", models_dir=folder)
        train.main(TINY + ["--max_steps=3", f"--out_dir={folder}/fork", f"--init_from={base}", "--val_every=0"])
        budget = torch.load(f"{folder}/fork/ckpt.pt")["budget"]
        assert [s["steps"] for s in budget] == [2, 3]


def test_targets_from_bp50_rows_and_from_the_starting_point():
    with tempfile.TemporaryDirectory() as folder:
        entry = {"name": "x", "targets": [
            {"code": "C", "ebn0": 4, "kind": "bp50", "margin": 0.3, "reference": os.path.relpath(folder, campaign.ROOT)},
            {"code": "C", "ebn0": 4, "kind": "gain", "margin": 0.5}]}
        os.makedirs(f"{folder}/eval")
        with open(f"{folder}/eval/C.bp50.jsonl", "w") as f:
            f.write(json.dumps({"ebn0_db": 4, "frame_errors": 100, "neg_ln_ber": 4.0}) + "\n")
            f.write(json.dumps({"ebn0_db": 4, "frame_errors": 1000, "neg_ln_ber": 4.1}) + "\n")  # the tighter run
        rows = [{"code": "C", "ebn0_db": 4, "neg_ln_ber": 3.9}, {"code": "C", "ebn0_db": 4, "neg_ln_ber": 4.5}]
        (bp, current, needed, met), (_, _, gain_needed, gain_met) = campaign.target_status(entry, rows)
        assert abs(needed - 4.4) < 1e-9 and current == 4.5 and met
        assert abs(gain_needed - 4.4) < 1e-9 and gain_met


def test_learning_curve_extrapolation_and_the_horizon():
    import math
    rising = [{"total_steps": s, "cpu_s": 0.5 * s, "neg_ln_ber": 1.0 + 0.25 * math.log(s)} for s in (1000, 2000, 4000, 8000)]
    guess = campaign.extrapolate(rising, needed=1.0 + 0.25 * math.log(64000))
    assert abs(guess["slope"] - 0.25) < 1e-9 and abs(guess["steps"] - 64000) <= 1
    assert abs(guess["cpu_hours"] - (64000 - 8000) * 0.5 / 3600) < 1e-3
    flat = [dict(r, neg_ln_ber=4.0 + 0.001 * i) for i, r in enumerate(rising)]
    assert campaign.extrapolate(flat, needed=5.0)["steps"] is None
    assert campaign.extrapolate(rising[:2], needed=5.0) is None  # too few points to judge
    with tempfile.TemporaryDirectory() as folder:
        entry = {"name": os.path.relpath(folder, os.path.join(campaign.ROOT, "campaign")), "max_extrapolated_cpu_hours": 10,
                 "targets": [{"code": "C", "ebn0": 4, "kind": "gain", "margin": 1.0}]}
        def write(rows):
            with open(f"{folder}/curve.jsonl", "w") as f:
                f.writelines(json.dumps(dict(r, code="C", ebn0_db=4)) + "\n" for r in rows)
        write(flat)
        assert campaign.beyond_horizon(entry)
        write(rising)  # +1.0 over the first point: near step 54,000, 6.4 more CPU-hours
        assert not campaign.beyond_horizon(entry)


def test_an_entry_continues_an_earlier_one_from_a_copy_of_its_checkpoint():
    with tempfile.TemporaryDirectory() as source, tempfile.TemporaryDirectory() as target:
        for name, text in (("ckpt.pt", "weights"), ("curve.jsonl", '{"total_steps": 8000}\n')):
            with open(os.path.join(source, name), "w") as f:
                f.write(text)
        relative = lambda path: os.path.relpath(path, os.path.join(campaign.ROOT, "campaign"))
        entry = {"name": relative(target), "continues": relative(source), "targets": []}
        campaign.seed_from_predecessor(entry)
        assert open(os.path.join(target, "ckpt.pt")).read() == "weights"
        assert campaign.curve(entry) == [{"total_steps": 8000}]
        with open(os.path.join(target, "ckpt.pt"), "w") as f:
            f.write("trained on")
        campaign.seed_from_predecessor(entry)  # once it has its own checkpoint, the entry keeps it
        assert open(os.path.join(target, "ckpt.pt")).read() == "trained on"


def test_gpu_recipe_runs_on_cpu_with_a_tiny_budget():
    with tempfile.TemporaryDirectory() as folder:
        plan = os.path.join(folder, "plan.py")
        with open(plan, "w") as f:
            f.write('entries = [dict(name="tiny", config="train/config/ecct_ldpc49_smoke.py", overrides=dict('
                    '{"model.d_model": 16, "model.n_heads": 2}, val_every=2, val_frames=100, eval_batch=100, '
                    'eval_frames=0, threads=1, max_steps=4))]\n')
        exported = campaign.cmd_gpu({"plan": plan, "device": "cpu", "minutes": "0.5", "out": f"{folder}/out",
                                     "models_dir": f"{folder}/models", "no_eval": True})
        assert exported == [f"{folder}/models/tiny"]
        files = set(os.listdir(exported[0]))
        assert {"manifest.json", "LDPC_N49_K24.pt", "CARD.md", "curve.jsonl", "learning-curve.png"} <= files
        with open(f"{exported[0]}/manifest.json") as f:
            manifest = json.load(f)
        assert manifest["budget"]["steps"] == 4 and manifest["budget"]["device"].startswith("CPU")


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir))
    for name, test in list(globals().items()):
        if name.startswith("test_"):
            test()
            print(f"ok {name}")
