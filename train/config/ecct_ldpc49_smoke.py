# Smoke run: ECCT N=2, d=32 on LDPC(49,24), a few minutes on 2 CPU cores. Not a shipped model.
code = "LDPC_N49_K24"
n_layers = 2
d_model = 32
batch_size = 128
max_steps = 600
lr = 1e-3
min_lr = 1e-5
warmup_steps = 20
log_every = 50
checkpoint_every = 200
eval_frames = 20000
out_dir = "out/ecct_ldpc49_smoke"
