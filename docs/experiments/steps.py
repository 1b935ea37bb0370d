"""Fixed work: 12 fine-tuning steps of MiniLM (batch 32, ~30 tokens), the shape of stage 1. Prints seconds."""
import os
import sys
import time

import torch

import sendclf  # noqa: F401  (sets OMP_WAIT_POLICY=PASSIVE unless the caller set it)
from sendclf.encoders import resolve_encoder
from sendclf.machine import cpu_threads
from sendclf.models import transformer_net as tn

torch.set_num_threads(cpu_threads(0))
tok, enc = tn.load_encoder(resolve_encoder(None))
net = tn.TransformerNet(enc, 3, 12, 0.1, 20.0)
net.train()
texts = ["Waiting times for children and young people to see some therapists are far too long in the "
         "area."] * 32
b = tok(texts, return_tensors="pt", padding=True)
opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=1e-5)
t = time.perf_counter()
for _ in range(12):
    p, th = net(b["input_ids"], b["attention_mask"])
    (p.float().sum() + th.float().sum()).backward()
    opt.step()
    opt.zero_grad()
label = sys.argv[1] if len(sys.argv) > 1 else ""
print(f"{label} threads={torch.get_num_threads()} OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')} "
      f"seconds={time.perf_counter() - t:.1f}", flush=True)
