# AECCT phase 1 (full precision: HPSA + SPE, Post-LN, ReLU) N=2, d=32 on LDPC(49,24), about 15 minutes (1 thread).
codes = ["LDPC_N49_K24"]
arch = "aecct"
model = dict(n_layers=2, d_model=32, n_heads=8, one_ring_heads=4, spe_dim=8, spe_heads=2)  # paper: N=6, d=128
batch_size = 128
max_steps = 100000
max_minutes = 15
lr = 2e-3          # the paper's 1e-4 is for 1M steps; a short budget needs a higher peak (as ecct_ldpc49)
min_lr = 1e-5
warmup_steps = 200
log_every = 100
checkpoint_every = 500
threads = 1
eval_frames = 20000
out_dir = "out/aecct_ldpc49_fp"
