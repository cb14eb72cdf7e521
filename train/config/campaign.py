# The training campaign of the flagship models (train/campaign.py reads this file as data).
# Each entry is a train.py run that lives in campaign/<name>/ (checkpoint, learning curve, log, all committed),
# resumed slice after slice on whatever machine is at hand, until its targets are met.
# Warm starts: an entry with init_from begins from that shipped model's weights and counts its budget.
# Targets compare the campaign's validation -ln(BER) with ./receiver eval's BP-50 rows in a model folder
# ("bp50": at least margin above BP-50) or with the starting model's own eval rows ("gain": at least margin above
# the model it started from). The cards' figures come from ./receiver eval after export, not from validation.

# Constant LR with a weight EMA (the ECCFM paper's 0.999): an open-ended run that can stop at any slice and
# export a model as good as its last thousand steps, without a cosine whose end is unknown.
_open_ended = dict(schedule="constant", ema=0.999, warmup_steps=200, log_every=500, checkpoint_every=1000,
                   val_every=2000, val_frames=4000, max_steps=10_000_000, max_minutes=0, eval_frames=0, threads=1)

# Model size by measured quality per CPU-hour: the same recipe from scratch at two sizes, compared on their learning
# curves against CPU time (half a CPU-hour each, then the larger one on to 2 CPU-hours to see whether and when it
# overtakes; the result is in train/README.md).
_study = dict(_open_ended, lr=1e-3, val_every=1000)

# The flagship size, chosen by the study below.
_size_d64 = dict(_open_ended, **{"model.n_layers": 4, "model.d_model": 64})

# An entry whose learning curve (a log-linear fit of its later validation points) puts every open target beyond this
# many more CPU-hours is paused, so the CPU goes where it turns into targets; `campaign.py status` shows each fit.
_horizon = 40

entries = [
    dict(name="study-eccfm-polar64-n2-d32", config="train/config/eccfm_polar64.py", max_cpu_hours=0.5,
         overrides=dict(_study, **{"model.n_layers": 2, "model.d_model": 32}), targets=[]),
    dict(name="study-eccfm-polar64-n4-d64", config="train/config/eccfm_polar64.py", max_cpu_hours=2.0,
         overrides=dict(_study, **{"model.n_layers": 4, "model.d_model": 64}), targets=[]),
    # The size study's verdict (train/README.md): N=4, d=64 overtakes N=2, d=32 after about 1.1 CPU-hours and at
    # 2 CPU-hours is 0.3 above the N=2 flagship's 2.9 CPU-hours, so the flagships of POLAR(64,32) and BCH(63,45) are
    # N=4, d=64. The N=2 runs' folders (campaign/eccfm-polar64, campaign/eccfm-bch63-45) stay as their history.
    dict(name="eccfm-polar64-d64", config="train/config/eccfm_polar64.py", continues="study-eccfm-polar64-n4-d64",
         max_extrapolated_cpu_hours=_horizon, overrides=dict(_size_d64, lr=1e-3),
         targets=[dict(code="POLAR_N64_K32", ebn0=e, kind="bp50", margin=m, reference="models/eccfm-polar64")
                  for e, m in ((4, 0.3), (5, 0.0), (6, 0.0))]),
    dict(name="eccfm-bch63-45-d64", config="train/config/eccfm_bch63_45.py", init_from="",
         max_extrapolated_cpu_hours=_horizon, overrides=dict(_size_d64, lr=1e-3, val_every=1000),
         targets=[dict(code="BCH_N63_K45", ebn0=e, kind="bp50", margin=m, reference="models/eccfm-bch63-45")
                  for e, m in ((4, 0.3), (5, 0.0), (6, 0.0))]),
    dict(name="eccfm-ldpc121", config="train/config/eccfm_ldpc121.py", init_from="", max_extrapolated_cpu_hours=_horizon,
         overrides=dict(_open_ended, lr=1e-3, val_frames=2000),
         targets=[dict(code="LDPC_N121_K70", ebn0=4, kind="bp50", margin=-0.3, reference="models/fecct-multi")]),
    dict(name="fecct-multi", config="train/config/fecct_multi.py", init_from="models/fecct-multi", max_extrapolated_cpu_hours=_horizon,
         overrides=dict(_open_ended, lr=5e-4, val_frames=2000, val_every=1000),
         targets=[dict(code=c, ebn0=4, kind="gain", margin=0.5, reference="models/fecct-multi")
                  for c in ("BCH_N31_K16", "LDPC_N49_K24", "BCH_N63_K45", "POLAR_N64_K32", "LDPC_N121_K70")]),
]
