# ECCFM (CrossMPT backbone) N=2, d=32 on BCH(63,45): small CPU size, budget of 40 minutes (1 thread).
# A step decodes 2 x batch_size frames (the two noise levels of ECCFM), so it costs about two ECCT steps:
# 0.15 s (LDPC) and 0.18 s (POLAR) CPU time per step with 4 heads, 0.25 s with the paper's 8 (1 thread, loaded machine).
codes = ["BCH_N63_K45"]
arch = "eccfm"
model = dict(n_layers=2, d_model=32, n_heads=4, alpha=0.8, syndrome_weight=0.01)  # paper: N=6, d=128, 8 heads
batch_size = 128
max_steps = 100000
max_minutes = 40
lr = 2e-3          # the paper's 1e-4 is for 1.5M steps; a short budget needs a higher peak
min_lr = 1e-5
warmup_steps = 200
log_every = 500
checkpoint_every = 1000
threads = 1
eval_frames = 20000
out_dir = "out/eccfm_bch63_45"
