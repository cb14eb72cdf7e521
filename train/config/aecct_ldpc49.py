# AECCT phase 2 (quantisation-aware: AAP ternary weights, 8-bit activations in the encoder blocks) from the phase-1
# weights, about 10 minutes (1 thread). Paper: phase 2 repeats phase 1's schedule (1e-4 cosine); here a shorter run
# from a peak 4x below phase 1's, so the ternary net adapts without undoing phase 1.
codes = ["LDPC_N49_K24"]
arch = "aecct"
model = dict(n_layers=2, d_model=32, n_heads=8, one_ring_heads=4, spe_dim=8, spe_heads=2,
             quantize=True, percentile=0.5, act_bits=8, init_from="out/aecct_ldpc49_fp/ckpt.pt")
batch_size = 128
max_steps = 100000
max_minutes = 10
lr = 5e-4
min_lr = 1e-5
warmup_steps = 50
log_every = 100
checkpoint_every = 500
threads = 1
eval_frames = 20000
out_dir = "out/aecct_ldpc49"
