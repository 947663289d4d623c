#!/usr/bin/env python3
"""Loss per step of the PyTorch reference U-Net (bench/reference/ddpm_ref.py) under two weight initialisations:
PyTorch's default (MODE=default) or DL4J's Xavier uniform with zero biases (MODE=xavier), as this project's U-Net had
until FanInUniformInit. Adam 2e-4, batch 64, no warm-up (WARM=N adds a linear one); prints the mean loss of the last
20 steps every 20 steps.
    MODE=xavier STEPS=300 /usr/bin/python3 bench/ref_init.py
DDPM_REF points to the reference (default bench/reference/ddpm_ref.py)."""
import importlib.util
import os
import sys

ref_path = os.environ.get("DDPM_REF", os.path.join(os.path.dirname(__file__), "reference", "ddpm_ref.py"))
spec = importlib.util.spec_from_file_location("ddpm_ref", ref_path)
ref = importlib.util.module_from_spec(spec)
sys.argv = sys.argv[:1]
spec.loader.exec_module(ref)
import torch  # noqa: E402 (after the reference has set the thread count)
import torch.nn as nn  # noqa: E402

mode = os.environ.get("MODE", "xavier")
steps = int(os.environ.get("STEPS", "300"))
warm = int(os.environ.get("WARM", "0"))
torch.manual_seed(0)
model = ref.UNet()
if mode == "xavier":
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
data = ref.load_fashion("train")
opt = torch.optim.Adam(model.parameters(), lr=2e-4)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) if warm else 1.0)
gen = torch.Generator().manual_seed(0)
losses = []
for s in range(1, steps + 1):
    losses.append(ref.train_step(model, opt, data, 64, gen))
    sched.step()
    if s % 20 == 0:
        print(f"{mode} warm={warm} step {s} loss(mean of 20) {sum(losses[-20:]) / 20:.4f}", flush=True)
