# Test fixture for tests/Receiver.Neural.Tests: a tiny ECCT on LDPC(49,24), trained for a few seconds so it trusts
# hard decisions that satisfy H and fixes some errors. Not a shipped model. make_fixture.sh trains and exports it.
codes = ["LDPC_N49_K24"]
arch = "ecct"
name = "ecct-fixture-ldpc49"
model = dict(n_layers=1, d_model=16, n_heads=2)
batch_size = 64
max_steps = 1000
lr = 3e-3
min_lr = 1e-4
warmup_steps = 20
ebn0_low = 3.0
ebn0_high = 8.0
log_every = 100
checkpoint_every = 1000
eval_frames = 2000
seed = 1234
threads = 1
out_dir = "/tmp/receiver-ecct-fixture"
