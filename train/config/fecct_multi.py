# FECCT N=2, d=32 pretrained on five codes of the SAP paper's Appendix C set (BCH, LDPC, polar; n 31..121),
# one code drawn per step; CPU budget of about 30 minutes (1 thread). The paper: N=6, d=128, 12 codes, GPU.
# Measured 3.3-3.4 steps/s through train.py on the shared 2-core machine under load (about 6000 steps in 30 min).
codes = ["BCH_N31_K16", "LDPC_N49_K24", "BCH_N63_K45", "POLAR_N64_K32", "LDPC_N121_K70"]
arch = "fecct"
model = dict(n_layers=2, d_model=32, n_heads=4)
batch_size = 128
max_steps = 100000
max_minutes = 30
lr = 2e-3          # the paper uses 1e-4 over 4000 epochs; a short budget needs a higher peak
min_lr = 1e-5
warmup_steps = 200
ebn0_low = 2.0     # the paper's pretraining range
ebn0_high = 7.0
log_every = 250
checkpoint_every = 1000
threads = 1
eval_frames = 20000
eval_batch = 500   # attention on LDPC(121,70) is (B, h, 176, 176): 2000 frames would take about 1 GB per tensor
out_dir = "out/fecct_multi"
