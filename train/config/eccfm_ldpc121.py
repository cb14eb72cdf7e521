# ECCFM (CrossMPT backbone) N=2, d=32 on LDPC(121,70), the ECCFM paper's headline code: small CPU size, trained by
# the campaign (train/config/campaign.py) in slices. H is sparse (605 of 6655 entries), so the cross-attention
# gathers each node's neighbours instead of masking a dense map (eccfm.py).
codes = ["LDPC_N121_K70"]
arch = "eccfm"
model = dict(n_layers=2, d_model=32, n_heads=4, alpha=0.8, syndrome_weight=0.01)  # paper: N=6, d=128, 8 heads
batch_size = 128
max_steps = 100000
lr = 1e-3
min_lr = 1e-5
warmup_steps = 200
log_every = 500
checkpoint_every = 1000
threads = 1
eval_frames = 20000
eval_batch = 1000
out_dir = "out/eccfm_ldpc121"
