"""Copies a safetensors file with edits, for tests of what the runtime accepts.

usage: edit_weights.py IN OUT [--drop SUBSTRING]... [--f32-scalar NAME]... [--split-in-proj]
  --drop           leaves out every tensor whose name contains SUBSTRING
  --f32-scalar     sets tensor NAME to an F32 [1] zero (a wrong dtype and shape for an I64 [])
  --add NAME=SHAPE adds an F32 tensor of zeros, e.g. h.0.attn.bias=1x1x12x12 (a buffer that
                   older exports carry)
  --split-in-proj  renames nn.MultiheadAttention's packed X.in_proj_weight [3d, d] and
                   X.in_proj_bias [3d] to X.q_proj, X.k_proj, X.v_proj (.weight, .bias), the
                   layout of `attention(qkv = separate)`
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("dst")
ap.add_argument("--drop", action="append", default=[])
ap.add_argument("--f32-scalar", action="append", default=[])
ap.add_argument("--split-in-proj", action="store_true")
ap.add_argument("--add", action="append", default=[])
a = ap.parse_args()
w = loomref.read_safetensors(a.src)
w = {k: v for k, v in w.items() if not any(s in k for s in a.drop)}
for name in a.f32_scalar:
    w[name] = torch.zeros(1)
for spec in a.add:
    name, shape = spec.split("=")
    w[name] = torch.zeros([int(d) for d in shape.split("x")])
if a.split_in_proj:
    for name in [k for k in w if k.endswith(".in_proj_weight") or k.endswith(".in_proj_bias")]:
        prefix, kind = name.rsplit(".in_proj_", 1)
        for part, t in zip(("q_proj", "k_proj", "v_proj"), w.pop(name).chunk(3, dim=0)):
            w[f"{prefix}.{part}.{kind}"] = t.contiguous()
loomref.write_safetensors(a.dst, w)
