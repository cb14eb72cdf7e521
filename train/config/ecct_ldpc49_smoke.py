# Smoke run: ECCT N=2, d=32 on LDPC(49,24), about 4 minutes on 2 CPU cores. Not a shipped model.
codes = ["LDPC_N49_K24"]
arch = "ecct"
model = dict(n_layers=2, d_model=32)
batch_size = 128
max_steps = 1500
lr = 3e-3          # above ECCT's 1e-4: at 1e-3 for 600 steps the net had not yet left the hard decision
min_lr = 1e-5
warmup_steps = 50
log_every = 100
checkpoint_every = 500
eval_frames = 20000
out_dir = "out/ecct_ldpc49_smoke"
