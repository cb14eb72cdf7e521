# ECCT N=2, d=32 on LDPC(49,24): the ECCT paper's small size, CPU budget of about 35 minutes (1 thread).
codes = ["LDPC_N49_K24"]
arch = "ecct"
model = dict(n_layers=2, d_model=32)
batch_size = 128
max_steps = 100000
max_minutes = 35
lr = 2e-3          # ECCT uses 1e-4 over 1M steps; a short budget needs a higher peak
min_lr = 1e-5
warmup_steps = 200
log_every = 500
checkpoint_every = 1000
threads = 1
eval_frames = 20000
out_dir = "out/ecct_ldpc49"
