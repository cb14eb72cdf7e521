# UECCT N=2, d=32 trained jointly on three codes of different lengths (BCH n=31, LDPC n=49, polar n=64), one code
# drawn per step, all zero-padded to n_max=64, m_max=32; CPU budget of 30 minutes (1 thread).
# The paper: L=6, H=8, d_k=64, batch 512, 1000 x 1000 steps, lr 1e-3 cosine to 1e-6, SNR 3..7 dB, GPU.
codes = ["BCH_N31_K16", "LDPC_N49_K24", "POLAR_N64_K32"]
arch = "uecct"
model = dict(n_layers=2, d_model=32)
batch_size = 128
max_steps = 100000
max_minutes = 30
lr = 2e-3          # the paper's 1e-3 is for 1M steps; a short budget needs a higher peak (as the ECCT/FECCT configs)
min_lr = 1e-5
warmup_steps = 0   # the paper: cosine without warm-up
ebn0_low = 3.0     # the paper's training range
ebn0_high = 7.0
log_every = 250
checkpoint_every = 1000
threads = 1
eval_frames = 20000
out_dir = "out/uecct_mix"
