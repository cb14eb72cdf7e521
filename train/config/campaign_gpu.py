# The GPU recipe (train/campaign.py gpu): every flagship model at the papers' size (N=6, d=128, 8 heads) trained side
# by side on one GPU within one wall-clock budget (--minutes, 9 by default), cosine over that budget, then exported
# into models/<name>/ with a card whose budget names the GPU. The papers' recipe is 1500 (ECCFM) or 4000 (FECCT)
# epochs of 1000 steps at lr 1e-4; a budget of minutes needs a higher peak.
_paper_size = {"model.n_layers": 6, "model.d_model": 128, "model.n_heads": 8}
_gpu = dict(_paper_size, schedule="cosine", lr=5e-4, min_lr=5e-7, warmup_steps=500, ema=0.999, batch_size=128,
            log_every=500, checkpoint_every=2000, val_every=2000, val_frames=4000, max_steps=10_000_000,
            eval_frames=0, threads=1)

entries = [
    dict(name="eccfm-polar64", config="train/config/eccfm_polar64.py", overrides=dict(_gpu)),
    dict(name="eccfm-bch63-45", config="train/config/eccfm_bch63_45.py", overrides=dict(_gpu)),
    dict(name="eccfm-ldpc121", config="train/config/eccfm_ldpc121.py", overrides=dict(_gpu)),
    dict(name="fecct-multi", config="train/config/fecct_multi.py",
         overrides=dict(_gpu, batch_size=256, ebn0_low=2.0, ebn0_high=7.0, val_frames=2000)),  # SAP paper: batch 256
]
