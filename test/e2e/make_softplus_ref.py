"""Reference for test/e2e/softplus-plugin.test: linear -> softplus (torch.nn.Softplus)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
lin = torch.nn.Linear(8, 8)
x = torch.randn(1, 4, 8)
with torch.no_grad():
    y = torch.nn.functional.softplus(lin(x))
loomref.write_safetensors(os.path.join(out, "weights.safetensors"),
                          {"linear.weight": lin.weight, "linear.bias": lin.bias})
loomref.save_npy(os.path.join(out, "input.npy"), x)
loomref.save_npy(os.path.join(out, "expected.npy"), y)
