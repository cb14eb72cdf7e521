# DDECC (ECCT backbone N=2, d=32) on POLAR(64,32): comparable to models/eccfm-polar64 (CrossMPT N=2, d=32, 4 heads),
# CPU budget of 25 minutes (1 thread). A training step is one denoiser pass over the batch (as an ECCT step).
codes = ["POLAR_N64_K32"]
arch = "ddecc"
model = dict(n_layers=2, d_model=32, n_heads=4, beta=0.01, line_search=True)  # paper: N=6, d=128, 8 heads
batch_size = 128
max_steps = 100000
max_minutes = 25
lr = 2e-3          # the public code's 5e-4 is for 2M steps; a short budget needs a higher peak
min_lr = 1e-5
warmup_steps = 200
log_every = 500
checkpoint_every = 1000
threads = 1
eval_frames = 10000  # the end-of-training eval runs the whole reverse process
eval_batch = 1000
out_dir = "out/ddecc_polar64"
