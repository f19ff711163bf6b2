"""Reference for activations, the residual scale and sandwich placement:
y = x + SCALE * f(x), f = linear2(act(linear1(x))); with --sandwich,
y = x + SCALE * out_norm(f(norm(x))) (Ding et al. 2021, CogView sec. 2.4; LayerNorms).

usage: make_ffn_ref.py OUTDIR --activation relu|gelu|gelu_tanh|silu|swish|sigmoid|tanh|elu
                       [--beta B] [--scale S] [--sandwich]
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("outdir")
ap.add_argument("--activation", required=True)
ap.add_argument("--beta", type=float, default=1.0)
ap.add_argument("--alpha", type=float, default=1.0, help="elu's alpha")
ap.add_argument("--scale", type=float, default=1.0)
ap.add_argument("--sandwich", action="store_true")
a = ap.parse_args()
acts = {
    "relu": torch.relu,
    "gelu": F.gelu,
    "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "silu": F.silu,
    "swish": lambda t: t * torch.sigmoid(a.beta * t),  # Ramachandran et al. 2017
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "elu": lambda t: F.elu(t, alpha=a.alpha),  # Clevert et al. 2016
}
torch.manual_seed(0)
model = torch.nn.Module()
model.linear1, model.linear2 = torch.nn.Linear(16, 32), torch.nn.Linear(32, 16)
if a.sandwich:
    model.norm, model.out_norm = torch.nn.LayerNorm(16), torch.nn.LayerNorm(16)
loomref.reinit_(model, 1)
x = 2.0 * torch.randn(2, 8, 16)  # wide enough to reach the activations' tails
with torch.no_grad():
    def f(t):
        return model.linear2(acts[a.activation](model.linear1(t)))
    if a.sandwich:
        y = x + a.scale * model.out_norm(f(model.norm(x)))
    else:
        y = x + a.scale * f(x)
loomref.save_reference(a.outdir, model.state_dict(), x, y)
