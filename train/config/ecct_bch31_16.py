# ECCT N=2, d=32 on BCH_N31_K16, the base of the hybrid error-floor study (ecct-error-floor-hybrid.txt; paper: N=6, d=128).
# 18 CPU minutes with BCE; the study then forks it for 10 more minutes with BCE or with the hybrid loss (IV).
codes = ["BCH_N31_K16"]
arch = "ecct"
model = dict(n_layers=2, d_model=32)
batch_size = 128
max_steps = 100000
max_minutes = 18
lr = 2e-3          # ECCT uses 1e-4 over 1M steps; a short budget needs a higher peak
min_lr = 1e-5
warmup_steps = 200
log_every = 500
checkpoint_every = 1000
threads = 1
eval_frames = 20000
out_dir = "out/ecct_bch31_16"
